/**
 * The panel's styles, inside the shadow root only (a page's CSS cannot reach in, ours cannot leak out).
 * Theme values arrive as custom properties on the host: --tandem-primary, --tandem-font, --tandem-radius.
 */
export const PANEL_CSS = `
.panel{position:fixed;bottom:88px;right:20px;z-index:2147483000;width:380px;max-width:calc(100vw - 40px);
height:600px;max-height:calc(100vh - 108px);display:flex;flex-direction:column;background:#fff;color:#111827;
font-family:var(--tandem-font,system-ui,sans-serif);font-size:14px;line-height:1.45;border-radius:var(--tandem-radius,12px);
box-shadow:0 12px 48px rgba(0,0,0,.25);overflow:hidden}
:host(.left) .panel{right:auto;left:20px}
.panel[hidden]{display:none}
.header{display:flex;align-items:center;gap:8px;padding:12px 12px 12px 16px;background:var(--tandem-primary,#2563eb);color:#fff}
.titles{flex:1;min-width:0}
.title{margin:0;font-size:16px;font-weight:600;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.subtitle{margin:0;font-size:12px;opacity:.9}
.icon{background:transparent;border:0;color:inherit;cursor:pointer;width:32px;height:32px;border-radius:6px;display:flex;
align-items:center;justify-content:center;padding:0;font:inherit;font-size:18px}
.icon:hover{background:rgba(255,255,255,.15)}
button:focus-visible,textarea:focus-visible,a:focus-visible{outline:2px solid var(--tandem-primary,#2563eb);outline-offset:2px}
.header button:focus-visible{outline-color:#fff}
.log{flex:1;overflow-y:auto;margin:0;padding:16px;list-style:none;display:flex;flex-direction:column;gap:10px;background:#f9fafb}
.msg{max-width:85%;display:flex;flex-direction:column;gap:2px}
.msg.user{align-self:flex-end;align-items:flex-end}
.author{font-size:12px;color:#6b7280}
.bubble{padding:8px 12px;border-radius:var(--tandem-radius,12px);background:#fff;border:1px solid #e5e7eb;overflow-wrap:anywhere}
.user .bubble{background:var(--tandem-primary,#2563eb);color:#fff;border-color:transparent;white-space:pre-wrap}
.agent .bubble{border-color:var(--tandem-primary,#2563eb)}
.bubble p{margin:0 0 6px}.bubble p:last-child{margin-bottom:0}
.bubble ul,.bubble ol{margin:4px 0;padding-left:20px}
.bubble code{font-family:ui-monospace,monospace;font-size:13px;background:#f3f4f6;padding:1px 4px;border-radius:4px}
.bubble pre{margin:6px 0;padding:8px;background:#f3f4f6;border-radius:6px;overflow-x:auto}
.bubble pre code{padding:0;background:none}
.bubble a{color:var(--tandem-primary,#2563eb)}
.attachments{display:flex;flex-wrap:wrap;gap:4px;font-size:13px}
.attachments img{max-width:220px;max-height:220px;width:auto;height:auto;border-radius:8px;display:block;background:rgba(0,0,0,.06)}
.attachments .file{display:inline-block;padding:6px 10px;border:1px solid rgba(0,0,0,.15);border-radius:8px;text-decoration:none;color:inherit;word-break:break-all}
.attachments .size{opacity:.7}
.cards{display:flex;gap:8px;margin:2px 0 0;padding:2px 2px 6px;list-style:none;overflow-x:auto;scroll-snap-type:x mandatory;max-width:100%;box-sizing:border-box}
.card{flex:0 0 auto;width:168px;scroll-snap-align:start;display:flex;flex-direction:column;background:#fff;border:1px solid #e5e7eb;
border-radius:var(--tandem-radius,12px);overflow:hidden}
.card img{width:100%;height:120px;object-fit:cover;display:block;background:rgba(0,0,0,.06)}
.card-body{display:flex;flex-direction:column;gap:2px;padding:8px 10px;flex:1}
.card-title{font-weight:600;font-size:13px;overflow:hidden;display:-webkit-box;-webkit-line-clamp:2;-webkit-box-orient:vertical;overflow-wrap:anywhere}
.card-price{font-size:13px}
.card-stock{font-size:12px;color:#b91c1c}
.card-view{margin-top:auto;align-self:flex-start;padding:4px 10px;border:1px solid var(--tandem-primary,#2563eb);border-radius:6px;
color:var(--tandem-primary,#2563eb);text-decoration:none;font-size:13px}
.card-view:hover{background:var(--tandem-primary,#2563eb);color:#fff}
.out img{opacity:.6}
.failed .bubble{opacity:.7}
.status{font-size:12px;color:#b91c1c;display:flex;gap:6px;align-items:center}
.link{background:none;border:0;padding:0;color:inherit;text-decoration:underline;cursor:pointer;font:inherit}
.feedback{display:flex;gap:4px}
.feedback button{background:none;border:1px solid transparent;border-radius:6px;cursor:pointer;padding:2px 6px;font-size:13px;color:#6b7280}
.feedback button[aria-pressed=true]{border-color:var(--tandem-primary,#2563eb);color:var(--tandem-primary,#2563eb)}
.dots{display:inline-flex;gap:4px;padding:4px 0}
.dots i{width:6px;height:6px;border-radius:50%;background:#9ca3af;animation:tandem-blink 1.2s infinite}
.dots i:nth-child(2){animation-delay:.2s}.dots i:nth-child(3){animation-delay:.4s}
@keyframes tandem-blink{0%,80%,100%{opacity:.3}40%{opacity:1}}
@media (prefers-reduced-motion:reduce){.dots i{animation:none}}
.typing{font-size:12px;color:#6b7280;padding:0 16px 6px;background:#f9fafb;min-height:0}
.typing:empty{display:none}
.suggestions{display:flex;flex-wrap:wrap;gap:6px;padding:0 16px 10px;background:#f9fafb}
.suggestions[hidden]{display:none}
.chip{border:1px solid var(--tandem-primary,#2563eb);color:var(--tandem-primary,#2563eb);background:#fff;border-radius:999px;
padding:6px 12px;cursor:pointer;font:inherit;font-size:13px;text-align:left}
.bar{display:flex;justify-content:center;padding:6px;border-top:1px solid #e5e7eb}
.bar[hidden]{display:none}
.notice{font-size:12px;color:#6b7280;text-align:center;padding:4px 12px}
.notice:empty{display:none}
.composer{display:flex;gap:8px;align-items:flex-end;padding:10px;border-top:1px solid #e5e7eb}
textarea{flex:1;resize:none;border:1px solid #d1d5db;border-radius:8px;padding:8px 10px;font:inherit;font-size:16px;
line-height:1.4;max-height:120px;min-height:40px;box-sizing:border-box;color:inherit;background:#fff}
.send{border:0;border-radius:8px;background:var(--tandem-primary,#2563eb);color:#fff;padding:0 14px;height:40px;cursor:pointer;font:inherit;font-weight:600}
.send:disabled{opacity:.5;cursor:default}
.sr{position:absolute;width:1px;height:1px;margin:-1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
@media (max-width:640px){
.panel{inset:0;width:100vw;max-width:none;height:100dvh;max-height:none;border-radius:0}
:host(.open) .launcher{display:none}
}
`;
