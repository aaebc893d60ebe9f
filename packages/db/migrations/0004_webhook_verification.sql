CREATE TABLE "webhook_verification" (
	"platform" "channel_type" PRIMARY KEY NOT NULL,
	"last_verified_at" timestamp with time zone,
	"last_failure_at" timestamp with time zone,
	"last_failure_reason" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
