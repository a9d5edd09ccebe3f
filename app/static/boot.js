// Loads the wasm UI. A file rather than an inline script, so the CSP needs no inline allowance.
import init from "./theset_app.js";
init({ module_or_path: "./theset_app_bg.wasm" });
