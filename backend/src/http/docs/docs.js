// The API reference page: renders /api/v1/openapi.json and sends requests from the page. Served
// by the backend itself (no third-party script runs on the API's origin); built with DOM calls
// only, so nothing from the document is ever parsed as HTML.
"use strict";
(async function () {
  const ops = document.getElementById("ops");
  const el = (tag, attrs, ...kids) => {
    const n = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "text") n.textContent = v;
      else n.setAttribute(k, v);
    }
    for (const k of kids) if (k) n.append(k);
    return n;
  };
  let doc;
  try {
    doc = await (await fetch("/api/v1/openapi.json")).json();
  } catch (_) {
    ops.replaceChildren(el("p", { text: "The OpenAPI document could not be read." }));
    return;
  }
  document.getElementById("version").textContent = "v" + (doc.info && doc.info.version || "");
  const resolve = (s, depth = 0) => {
    if (!s || depth > 6) return s;
    if (s.$ref) {
      const name = s.$ref.split("/").pop();
      return resolve((doc.components && doc.components.schemas || {})[name], depth + 1) || { type: name };
    }
    const out = Array.isArray(s) ? [] : {};
    for (const [k, v] of Object.entries(s)) out[k] = typeof v === "object" && v ? resolve(v, depth + 1) : v;
    return out;
  };
  const byTag = new Map();
  for (const [path, item] of Object.entries(doc.paths || {})) {
    for (const [method, op] of Object.entries(item)) {
      const tag = (op.tags && op.tags[0]) || "other";
      if (!byTag.has(tag)) byTag.set(tag, []);
      byTag.get(tag).push({ path, method, op });
    }
  }
  const render = (needle) => {
    const frag = document.createDocumentFragment();
    for (const [tag, list] of [...byTag.entries()].sort()) {
      const shown = list.filter(({ path, op }) => !needle ||
        (path + " " + tag + " " + (op.summary || "") + " " + (op.description || "")).toLowerCase().includes(needle));
      if (!shown.length) continue;
      frag.append(el("h2", { text: tag }));
      for (const o of shown) frag.append(operation(o));
    }
    ops.replaceChildren(frag);
  };
  const operation = ({ path, method, op }) => {
    const d = el("details", {},
      el("summary", {}, el("span", { class: "method", text: method.toUpperCase() }), path + "  ",
        el("span", { class: "muted", text: op.summary || "" })));
    if (op.description) d.append(el("p", { text: op.description }));
    const params = op.parameters || [];
    const inputs = {};
    if (params.length) {
      const t = el("table", {}, el("tr", {}, el("th", { text: "parameter" }), el("th", { text: "in" }), el("th", { text: "value" })));
      for (const p of params) {
        const input = el("input", { placeholder: (p.description || "") + (p.required ? " (required)" : "") });
        inputs[p.in + ":" + p.name] = input;
        t.append(el("tr", {}, el("td", { text: p.name }), el("td", { text: p.in }), el("td", {}, input)));
      }
      d.append(t);
    }
    let body;
    const content = op.requestBody && op.requestBody.content;
    if (content && content["application/json"]) {
      d.append(el("p", { text: "Body (JSON):" }));
      d.append(el("pre", { text: JSON.stringify(resolve(content["application/json"].schema), null, 2) }));
      body = el("textarea", { "aria-label": "request body" });
      d.append(body);
    }
    const answers = el("ul");
    for (const [code, r] of Object.entries(op.responses || {})) answers.append(el("li", { text: code + ": " + (r.description || "") }));
    d.append(el("p", { text: "Answers:" }), answers);
    const out = el("pre", { class: "muted", text: "" });
    const go = el("button", { type: "button", text: "Send" });
    go.addEventListener("click", async () => {
      let url = path;
      const query = new URLSearchParams();
      const headers = {};
      for (const [key, input] of Object.entries(inputs)) {
        const [where, name] = key.split(":");
        if (!input.value) continue;
        if (where === "path") url = url.replace("{" + name + "}", encodeURIComponent(input.value));
        else if (where === "query") query.set(name, input.value);
        else if (where === "header") headers[name] = input.value;
      }
      const token = document.getElementById("token").value.trim();
      if (token) headers.authorization = "Bearer " + token;
      const init = { method: method.toUpperCase(), headers };
      if (body && body.value.trim()) {
        headers["content-type"] = "application/json";
        init.body = body.value;
      }
      out.textContent = "…";
      try {
        const res = await fetch(url + (query.toString() ? "?" + query : ""), init);
        const text = await res.text();
        let shown = text;
        try { shown = JSON.stringify(JSON.parse(text), null, 2); } catch (_) { /* not JSON */ }
        out.textContent = res.status + " " + res.statusText + "\n" + shown.slice(0, 20000);
      } catch (e) {
        out.textContent = "The request failed: " + e;
      }
    });
    d.append(go, out);
    return d;
  };
  render("");
  document.getElementById("filter").addEventListener("input", (e) => render(e.target.value.trim().toLowerCase()));
})();
