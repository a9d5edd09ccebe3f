// Mailed-link pages: the token is in the fragment (#token=…), sent only when the person acts.
"use strict";
(function () {
  const token = new URLSearchParams(location.hash.slice(1)).get("token") || "";
  const status = document.getElementById("status");
  const say = (text, ok) => {
    status.textContent = text;
    status.className = ok ? "ok" : "error";
  };
  const post = async (path, body) => {
    const res = await fetch("/api/v1" + path, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    if (res.ok) return null;
    const err = await res.json().catch(() => null);
    return (err && err.error && err.error.message) || "Something went wrong; try again.";
  };
  if (!token) say("This link is incomplete: open it exactly as it arrived in your mail.", false);
  const go = document.getElementById("go");
  if (go) {
    go.addEventListener("click", async () => {
      go.disabled = true;
      const err = await post("/auth/verify-email", { token });
      say(
        err ||
          "Your address is confirmed and the account is yours alone. Sign in with a mailed link.",
        !err,
      );
    });
  }
  const form = document.getElementById("reset");
  if (form) {
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      const err = await post("/auth/password-reset/confirm", {
        token,
        new_password: document.getElementById("pw").value,
      });
      say(err || "Password saved. Sign in with it in the app.", !err);
      if (!err) form.hidden = true;
    });
  }
  // The web app signs in with the token itself; the fragment never reaches a server.
  const web = document.getElementById("web");
  if (web && token) web.href = "/app/#token=" + encodeURIComponent(token);
  const code = document.getElementById("code");
  if (code) {
    code.textContent = token;
    document.getElementById("copy").addEventListener("click", async () => {
      try {
        await navigator.clipboard.writeText(token);
        say("Copied.", true);
      } catch (_) {
        say("Select the code and copy it.", false);
      }
    });
  }
})();
