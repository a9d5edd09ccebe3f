// The web app's offline core: theset-worker (wasm) in this dedicated module worker. A file rather
// than an inline script, so the page's CSP needs no inline allowance.
import init, { start } from "./worker/theset_worker.js";

await init({ module_or_path: "./worker/theset_worker_bg.wasm" });
await start();
