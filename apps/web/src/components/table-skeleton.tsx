import { Skeleton } from "@/components/ui/skeleton";

/** Placeholder rows for a table inside a card while its query loads. */
export function TableSkeleton({ rows, avatar = false }: { rows: number; avatar?: boolean }) {
  const keys = Array.from({ length: rows }, (_, index) => `row-${index}`);
  return (
    <div className="flex flex-col gap-4 px-6 py-2" role="status" aria-label="Loading">
      {keys.map((key) => (
        <div key={key} className="flex items-center gap-3">
          {avatar && <Skeleton className="size-8 rounded-full" />}
          <div className="flex flex-1 flex-col gap-1.5">
            <Skeleton className="h-3.5 w-40" />
            <Skeleton className="h-3 w-56" />
          </div>
          <Skeleton className="h-8 w-28" />
        </div>
      ))}
    </div>
  );
}
