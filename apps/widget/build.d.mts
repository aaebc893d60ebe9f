export interface WidgetBuild {
  name: string;
  entry: string;
  outfile: string;
  budgetGzip: number;
}
export interface WidgetSize {
  name: string;
  file: string;
  raw: number;
  gzip: number;
  budgetGzip: number;
  ok: boolean;
}
export const WIDGET_BUILDS: WidgetBuild[];
export const WIDGET_SOURCES: string[];
export function buildWidget(outdir?: string): Promise<void>;
export function widgetSizes(outdir?: string): WidgetSize[];
