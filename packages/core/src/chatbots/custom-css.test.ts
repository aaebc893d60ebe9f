import { describe, expect, it } from "vitest";
import { sanitizeCustomCss } from "./custom-css.ts";

describe("sanitizeCustomCss", () => {
  it("keeps ordinary CSS as it is", () => {
    const css =
      '.tandem-panel > header { color: #fff; background: url("https://cdn.example.com/bg.png"); content: "\\201C"; }';
    expect(sanitizeCustomCss(css)).toBe(css);
  });

  it.each([
    ["a </style> breakout", "a{}</style><img src=x onerror=alert(1)>", "a{}/style>img src=x onerror=alert(1)>"],
    ["an upper-case breakout", "a{}</STYLE >", "a{}/STYLE >"],
    ["@import", "@import url(https://evil.example/x.css);\nb{color:red}", "b{color:red}"],
    ["an escaped @import", "@\\69mport 'https://evil.example/x.css';b{}", "b{}"],
    ["@import joined by removing a comment", "@im/**/port 'x.css';b{}", "b{}"],
    ["@import rebuilt by a removal", "@im@import 'a';port 'x.css';b{}", "b{}"],
    ["a javascript: url", "a{background:url(javascript:alert(1))}", "a{background:none}"],
    ["a quoted vbscript: url", 'a{background:url( "vbscript:x" ) red}', "a{background:none}"],
    ["an escaped javascript: url", "a{background:u\\72l(j\\61vascript:alert(1))}", "a{background:none}"],
    // The rest of the address after its `;` stays, an inert parse error.
    [
      "a data:text/html url",
      "a{background:url(data:text/html;base64,PHNjcmlwdD4=)}",
      "a{background:none;base64,PHNjcmlwdD4=)}",
    ],
    ["expression()", "a{width:expression(alert(1));color:red}", "a{width:;color:red}"],
    ["behavior and -moz-binding", "a{behavior:url(x.htc);-moz-binding:url(x.xml#y);color:red}", "a{color:red}"],
  ])("removes %s", (_what, css, expected) => {
    expect(sanitizeCustomCss(css)).toBe(expected);
  });

  it("gives null for nothing left", () => {
    expect(sanitizeCustomCss("  /* only a comment */ ")).toBeNull();
    expect(sanitizeCustomCss("@import 'x';")).toBeNull();
    expect(sanitizeCustomCss(null)).toBeNull();
  });
});
