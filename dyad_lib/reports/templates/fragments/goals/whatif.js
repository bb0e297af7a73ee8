/* The annual worksheet's what-if: the goal formulas of dyad_lib/goals/formulas.py, evaluated here.
   The formulas arrive as data (the page's JSON); this evaluator mirrors `formulas.evaluate`
   operation for operation (IEEE doubles, left-to-right sums, round2 = floor(x*100 + 0.5)/100,
   percent -> fraction through 12 significant digits), and the months are split with the same
   whole-number largest-remainder rule (BigInt), so the page agrees with `dyad goals` to the cent.
   No network, no kernel. A hash such as #whatif:fee_change=3,owner_compensation=900000 sets the
   controls when the page opens (the same path as typing into them). */
(function () {
  "use strict";
  var root = document.getElementById("dyad-whatif");
  var holder = document.getElementById("dyad-whatif-data");
  if (!root || !holder) { return; }
  var data = JSON.parse(holder.textContent);

  function pctFraction(p) { return parseFloat((p / 100).toPrecision(12)); }
  function round2(x) {
    return x < 0 ? -(Math.floor(-x * 100 + 0.5) / 100) : Math.floor(x * 100 + 0.5) / 100;
  }
  function ev(node, env) {
    if (typeof node === "number") { return node; }
    var op = node[0], a, b, i, x;
    if (op === "v") {
      if (!(node[1] in env)) { throw new Error("no value for " + node[1]); }
      return env[node[1]];
    }
    if (op === "sum") {
      a = null;
      for (i = 0; i < node[1].length; i++) {
        x = ev(node[1][i], env);
        if (x === null) { return null; }
        a = (i === 0) ? x : a + x;
      }
      return a === null ? 0 : a;
    }
    if (op === "round2") { x = ev(node[1], env); return x === null ? null : round2(x); }
    if (op === "first") { x = ev(node[1], env); return x !== null ? x : ev(node[2], env); }
    a = ev(node[1], env); b = ev(node[2], env);
    if (a === null || b === null) { return null; }
    if (op === "+") { return a + b; }
    if (op === "-") { return a - b; }
    if (op === "*") { return a * b; }
    if (op === "/") { return b === 0 ? null : a / b; }
    if (op === "max") { return a >= b ? a : b; }
    if (op === "min") { return a <= b ? a : b; }
    throw new Error("unknown operation " + op);
  }
  function run(inputs) {
    var env = {}, k, i;
    for (k in inputs) { if (Object.prototype.hasOwnProperty.call(inputs, k)) { env[k] = inputs[k]; } }
    for (i = 0; i < data.spec.formulas.length; i++) {
      env[data.spec.formulas[i][0]] = ev(data.spec.formulas[i][1], env);
    }
    return env;
  }
  function toCents(x) {
    var c = BigInt(Math.floor(Math.abs(x) * 100 + 0.5));
    return x < 0 ? -c : c;
  }
  function allocate(total, weights) {
    var ws = weights.map(function (w) { return BigInt(w); });
    var sum = ws.reduce(function (s, w) { return s + w; }, 0n);
    var neg = total < 0n, c = neg ? -total : total;
    var floors = ws.map(function (w) { return c * w / sum; });
    var rema = ws.map(function (w) { return c * w % sum; });
    var left = c - floors.reduce(function (s, f) { return s + f; }, 0n);
    var order = ws.map(function (_, i) { return i; }).sort(function (i, j) {
      if (rema[i] !== rema[j]) { return rema[i] > rema[j] ? -1 : 1; }
      return i - j;
    });
    for (var i = 0; BigInt(i) < left; i++) { floors[order[i]] += 1n; }
    return floors.map(function (f) { return neg ? -f : f; });
  }
  function centsText(c) {
    var neg = c < 0n, a = neg ? -c : c;
    var whole = (a / 100n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    var cents = (a % 100n).toString().padStart(2, "0");
    return (neg ? "\u2212" : "") + "$" + whole + "." + cents;
  }
  function show(x, unit) {
    if (x === null || x === undefined || !isFinite(x)) { return "\u2014"; }
    if (unit === "money") { return centsText(toCents(round2(x))); }
    if (unit === "ratio") { return (x * 100).toFixed(1) + "%"; }
    if (unit === "per_hour") { return "$" + Math.round(x).toLocaleString("en-US") + "/h"; }
    return String(x);
  }
  function change(x, base, unit) {
    if (x === null || base === null || !isFinite(x) || !isFinite(base)) { return ""; }
    if (unit === "money") {
      var d = toCents(round2(x)) - toCents(round2(base));
      if (d === 0n) { return "same"; }
      return (d > 0n ? "+" : "") + centsText(d);
    }
    if (unit === "per_hour") {
      var h = Math.round(x) - Math.round(base);
      if (h === 0) { return "same"; }
      return (h > 0 ? "+$" : "\u2212$") + Math.abs(h).toLocaleString("en-US") + "/h";
    }
    if (unit === "ratio") {
      var p = (x - base) * 100;
      if (Math.abs(p) < 0.05) { return "same"; }
      return (p > 0 ? "+" : "\u2212") + Math.abs(p).toFixed(1) + " pts";
    }
    return "";
  }

  var inputs = {};
  var k;
  for (k in data.spec.inputs) { if (Object.prototype.hasOwnProperty.call(data.spec.inputs, k)) { inputs[k] = data.spec.inputs[k]; } }
  var planValues = run(inputs);
  var view = null;
  var chartEl = document.getElementById("dyad-whatif-chart");

  function applyControl(ctl, raw) {
    var v = parseFloat(raw);
    if (!isFinite(v)) { return false; }
    if (ctl.kind === "group") {
      ctl.categories.forEach(function (c) { inputs["fixed." + c] = null; inputs["change." + c] = pctFraction(v); });
    } else if (ctl.kind === "pct") {
      inputs[ctl.input] = pctFraction(v);
    } else {
      inputs[ctl.input] = v;
    }
    return true;
  }
  function update() {
    var val = run(inputs);
    data.outputs.forEach(function (o) {
      var cell = root.querySelector('[data-output="' + o.name + '"]');
      var diff = root.querySelector('[data-change="' + o.name + '"]');
      if (cell) {
        cell.textContent = show(val[o.name], o.unit);
        cell.setAttribute("data-value", val[o.name] === null ? "" : String(val[o.name]));
      }
      if (diff) { diff.textContent = change(val[o.name], planValues[o.name], o.unit); }
    });
    var months = [];
    var total = val.collection_goal;
    var parts = (total === null) ? null : allocate(toCents(round2(total)), data.weights);
    data.months.forEach(function (m, i) {
      var cell = root.querySelector('[data-month="' + i + '"]');
      var amount = parts === null ? null : Number(parts[i]) / 100;
      if (cell) {
        cell.textContent = parts === null ? "\u2014" : centsText(parts[i]);
        cell.setAttribute("data-value", amount === null ? "" : amount.toFixed(2));
      }
      months.push({ order: i, month: m, series: "What-if", goal: amount });
      months.push({ order: i, month: m, series: "The plan", goal: data.plan_months[i] });
    });
    if (view) {
      view.data(data.chart_data, months);
      view.runAsync().then(function () {
        var shown = view.data(data.chart_data).filter(function (r) { return r.series === "What-if"; });
        var cents = shown.reduce(function (s, r) { return s + toCents(r.goal || 0); }, 0n);
        chartEl.setAttribute("data-total", (Number(cents) / 100).toFixed(2));
        chartEl.setAttribute("data-rows", String(shown.length));
      });
    }
  }

  var controls = {};
  data.controls.forEach(function (ctl) {
    var el = root.querySelector('[data-control="' + ctl.id + '"]');
    if (!el) { return; }
    controls[ctl.id] = { spec: ctl, el: el };
    el.addEventListener("input", function () { if (applyControl(ctl, el.value)) { update(); } });
  });
  var reset = root.querySelector("[data-whatif-reset]");
  if (reset) {
    reset.addEventListener("click", function () {
      var key;
      for (key in data.spec.inputs) { if (Object.prototype.hasOwnProperty.call(data.spec.inputs, key)) { inputs[key] = data.spec.inputs[key]; } }
      Object.keys(controls).forEach(function (id) { controls[id].el.value = controls[id].spec.value; });
      update();
    });
  }

  function fromHash() {
    var h = decodeURIComponent(window.location.hash || "");
    var at = h.indexOf("whatif:");
    if (at < 0) { return; }
    h.slice(at + 7).split(",").forEach(function (pair) {
      var kv = pair.split("=");
      var c = controls[kv[0]];
      if (c && kv.length === 2) {
        c.el.value = kv[1];
        c.el.dispatchEvent(new Event("input", { bubbles: true }));
      }
    });
  }

  if (window.vegaEmbed && chartEl) {
    window.vegaEmbed(chartEl, data.chart, { actions: false, renderer: "svg" }).then(function (res) {
      view = res.view;
      update();
    }).catch(function () { chartEl.textContent = "The chart could not be drawn in this browser."; });
  }
  fromHash();
  update();
  root.setAttribute("data-ready", "1");
})();
