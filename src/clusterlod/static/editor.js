// The query editor: runs the query with fetch() and draws the results table in place.
// Without JavaScript the same form is submitted and the server draws the table.
"use strict";
(function () {
  const form = document.getElementById("editor");
  if (!form) return;
  const textarea = document.getElementById("query");
  const status = document.getElementById("status");
  const results = document.getElementById("results");
  const base = form.dataset.base, root = form.dataset.root, lang = form.dataset.lang;

  function href(iri) {
    if (!iri.startsWith(base)) return iri;
    const rest = iri.slice(base.length);
    if (rest === "") return root + "index." + lang + ".html";
    if (rest.startsWith("download/") || rest === "sparql") return root + rest;
    const [path, fragment] = rest.split("#");
    return root + path + "." + lang + ".html" + (fragment ? "#" + fragment : "");
  }

  function cell(term) {
    const td = document.createElement("td");
    if (!term) return td;
    if (term.type === "uri") {
      const a = document.createElement("a");
      a.href = href(term.value);
      a.textContent = term.value.startsWith(base) ? term.value.slice(base.length) : term.value;
      a.title = term.value;
      td.appendChild(a);
    } else {
      const span = document.createElement("span");
      span.textContent = term.value;
      if (term["xml:lang"]) span.lang = term["xml:lang"];
      td.appendChild(span);
    }
    return td;
  }

  function draw(data) {
    results.replaceChildren();
    if (typeof data.boolean === "boolean") {
      const p = document.createElement("p");
      p.className = "boolean";
      p.textContent = String(data.boolean);
      results.appendChild(p);
      return;
    }
    const vars = data.head.vars || [];
    const rows = data.results.bindings;
    const h2 = document.createElement("h2");
    h2.textContent = rows.length + " rows";
    const table = document.createElement("table");
    const head = table.createTHead().insertRow();
    for (const name of vars) {
      const th = document.createElement("th");
      th.scope = "col";
      th.textContent = name;
      head.appendChild(th);
    }
    const body = table.createTBody();
    for (const binding of rows) {
      const tr = body.insertRow();
      for (const name of vars) tr.appendChild(cell(binding[name]));
    }
    results.append(h2, table);
  }

  function fail(message) {
    results.replaceChildren();
    const p = document.createElement("p");
    p.className = "error";
    p.textContent = message;
    results.appendChild(p);
  }

  async function run(event) {
    if (event) event.preventDefault();
    status.textContent = "…";
    const started = performance.now();
    try {
      const response = await fetch(form.action, {
        method: "POST",
        headers: {
          "Content-Type": "application/x-www-form-urlencoded",
          "Accept": "application/sparql-results+json, text/turtle;q=0.9",
        },
        body: new URLSearchParams({ query: textarea.value }),
      });
      const type = response.headers.get("Content-Type") || "";
      if (!response.ok) {
        fail(await response.text());
      } else if (type.includes("json")) {
        draw(await response.json());
      } else {
        const pre = document.createElement("pre");
        pre.textContent = await response.text();
        results.replaceChildren(pre);
      }
      status.textContent = response.status + " · " + Math.round(performance.now() - started) + " ms";
      history.replaceState(null, "", form.action + "?query=" + encodeURIComponent(textarea.value));
    } catch (error) {
      status.textContent = "";
      fail(String(error));
    }
  }

  form.addEventListener("submit", run);
  textarea.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) run(event);
  });
  document.documentElement.classList.add("js");
})();
