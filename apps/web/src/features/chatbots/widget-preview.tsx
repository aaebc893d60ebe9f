"use client";

import { MonitorSmartphone, RotateCw } from "lucide-react";
import { useEffect, useState } from "react";
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Skeleton } from "@/components/ui/skeleton";
import { useWidgetLoaderAvailable, widgetLoaderPath } from "./widget-queries";

/**
 * The real widget, loaded by its loader as a site would, in a frame on the dashboard's own origin
 * (`srcdoc` documents share it): that origin is always allowed, also for a chatbot in `testing`.
 * The widget reads its saved settings, so the frame reloads after each save (`version`).
 */
export function WidgetPreview({ chatbotId, version }: { chatbotId: string; version: number }) {
  const loader = useWidgetLoaderAvailable(chatbotId);
  const [origin, setOrigin] = useState<string | null>(null);
  const [reloads, setReloads] = useState(0);
  useEffect(() => setOrigin(window.location.origin), []);

  return (
    <Card>
      <CardHeader>
        <CardTitle>Preview</CardTitle>
        <CardDescription>The real widget as visitors see it, with the saved settings.</CardDescription>
      </CardHeader>
      <CardContent className="flex flex-col gap-3">
        {loader.isPending || !origin ? (
          <Skeleton className="h-[520px] w-full" role="status" aria-label="Loading the preview" />
        ) : loader.data ? (
          <>
            <iframe
              key={`${version}-${reloads}`}
              title="Widget preview"
              data-testid="widget-preview"
              srcDoc={previewDocument(`${origin}${widgetLoaderPath(chatbotId)}`)}
              className="h-[520px] w-full rounded-md border bg-muted/30"
            />
            <Button
              type="button"
              variant="outline"
              size="sm"
              className="w-fit"
              onClick={() => setReloads((n) => n + 1)}
            >
              <RotateCw aria-hidden="true" />
              Reload preview
            </Button>
          </>
        ) : (
          <Alert data-testid="widget-not-built">
            <MonitorSmartphone aria-hidden="true" />
            <AlertTitle>Widget not built</AlertTitle>
            <AlertDescription>
              <p>
                This server does not serve the widget's loader yet:{" "}
                <code className="font-mono break-all">{widgetLoaderPath(chatbotId)}</code> is missing. It is built with
                the app (<code className="font-mono">npm run build</code>); restart afterwards. Settings are saved
                either way.
              </p>
            </AlertDescription>
          </Alert>
        )}
      </CardContent>
    </Card>
  );
}

/** A stand-in host page that embeds the widget exactly as the snippet does, and opens it. */
function previewDocument(loaderUrl: string): string {
  const src = loaderUrl.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");
  return `<!doctype html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<style>body{margin:0;font:14px system-ui,sans-serif;color:#64748b;background:#f8fafc}main{padding:24px;max-width:36rem}
.bar{height:10px;border-radius:5px;background:#e2e8f0;margin:10px 0}</style></head>
<body><main><p>Your website</p><div class="bar" style="width:80%"></div><div class="bar" style="width:60%"></div><div class="bar" style="width:70%"></div></main>
<script src="${src}" async></script>
<script>addEventListener("load",function(){setTimeout(function(){if(window.Tandem&&window.Tandem.open)window.Tandem.open({focus:false})},300)})</script>
</body></html>`;
}
