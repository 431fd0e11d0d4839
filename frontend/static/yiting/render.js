// The one way Yiting pages put markup on screen: lit-html templates, which escape every
// interpolated value by default (no innerHTML strings, no escapeHtml to remember).
// lit-html 3.3.3 is vendored under /static/vendor/lit-html/ (see VENDOR.md there).
export { html, svg, render, nothing, noChange } from "../vendor/lit-html/lit-html.js";
export { repeat } from "../vendor/lit-html/directives/repeat.js";
export { classMap } from "../vendor/lit-html/directives/class-map.js";
export { styleMap } from "../vendor/lit-html/directives/style-map.js";
export { ifDefined } from "../vendor/lit-html/directives/if-defined.js";
export { live } from "../vendor/lit-html/directives/live.js";
export { ref, createRef } from "../vendor/lit-html/directives/ref.js";

export const LIT_HTML_VERSION = "3.3.3";
