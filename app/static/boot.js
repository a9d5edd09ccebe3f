// Loads the wasm UI. A file rather than an inline script, so the CSP needs no inline allowance.
// In a browser (not the Tauri window) it also registers the service worker that lets the web app
// open offline, and says when a newer version has been fetched.
import init from "./theset_app.js";

init({ module_or_path: "./theset_app_bg.wasm" });

if (!("__TAURI__" in window) && "serviceWorker" in navigator) {
  navigator.serviceWorker.register("./sw.js", { scope: "/" }).catch((e) => {
    console.warn("TheSet: offline start unavailable", e);
  });
  navigator.serviceWorker.addEventListener("message", (event) => {
    if (event.data?.kind !== "updated" || document.getElementById("update-note")) return;
    const note = document.createElement("button");
    note.id = "update-note";
    note.className = "update-note";
    note.textContent = "TheSet was updated. Tap to reload.";
    note.addEventListener("click", () => location.reload());
    document.body.append(note);
  });
}
