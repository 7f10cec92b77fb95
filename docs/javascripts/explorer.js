// The learning-rate explorer. linreg.explorer ran gradient descent at every learning rate
// (and momentum, and on each data set) when the site was built; its runs are in the page
// (data-explorer) or, on the site, in a script beside it (hooks/explorer_data.py). This
// script only draws them: a menu picks the data, sliders a run, and the run's path over
// the loss landscape, its loss curve and its loss after each step are redrawn from the
// build's numbers.
(() => {
  const SVG = "http://www.w3.org/2000/svg";

  function svg(name, attrs, parent) {
    const node = document.createElementNS(SVG, name);
    for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, value);
    if (parent) parent.appendChild(node);
    return node;
  }

  function html(name, attrs, parent, text) {
    const node = document.createElement(name);
    for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, value);
    if (text !== undefined) node.textContent = text;
    if (parent) parent.appendChild(node);
    return node;
  }

  const number = (v, digits = 5) => String(Number(v.toPrecision(digits))).replace("-", "\u2212");
  const pairs = (xs, ys) => xs.map((x, i) => `${x},${ys[i]}`).join(" ");

  // A panel: an SVG of the spec's size with a framed plotting area. `toPixels` maps the
  // panel's data coordinates to the SVG's; `data` is a group in data coordinates, clipped
  // to the plotting area, so what is drawn in it carries the build's numbers as they are.
  function panel(parent, spec, id, label, limits, xLabel, yLabel) {
    const [width, height] = spec.panel;
    const [left, top, w, h] = spec.plot;
    const root = svg("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": label }, parent);
    root.classList.add("linreg-explorer-panel");
    const [[x0, x1], [y0, y1]] = limits;
    const sx = w / (x1 - x0);
    const sy = h / (y1 - y0);
    const toPixels = (x, y) => [left + (x - x0) * sx, top + (y1 - y) * sy];
    const clip = svg("clipPath", { id }, svg("defs", {}, root));
    svg("rect", { x: left, y: top, width: w, height: h }, clip);
    const area = svg("g", { "clip-path": `url(#${id})` }, root);
    const data = svg("g", { transform: `matrix(${sx} 0 0 ${-sy} ${left - x0 * sx} ${top + y1 * sy})` }, area);
    svg("rect", { x: left, y: top, width: w, height: h, class: "frame" }, root);
    const text = (x, y, content, cls) => {
      const node = svg("text", { x, y, class: cls }, root);
      node.textContent = content;
    };
    text(left + w / 2, height - 4, xLabel, "label x");
    const yText = svg("text", { x: 0, y: 0, class: "label y", transform: `translate(13 ${top + h / 2}) rotate(-90)` }, root);
    yText.textContent = yLabel;
    const tick = (axis, value, shown) => {
      const [px, py] = axis === "x" ? toPixels(value, y0) : toPixels(x0, value);
      if (axis === "x") {
        svg("line", { x1: px, y1: top + h, x2: px, y2: top + h + 4, class: "tick" }, root);
        text(px, top + h + 17, shown, "tick-label x");
      } else {
        svg("line", { x1: left - 4, y1: py, x2: left, y2: py, class: "tick" }, root);
        text(left - 7, py + 4, shown, "tick-label y");
      }
    };
    return { root, area, data, toPixels, tick };
  }

  // What the status line says of a run: whether it converges, and what one step does to
  // each of the two parts of the distance to the optimum (the build's factors).
  function describe(spec, run) {
    const worst = Math.max(...run.factors.map(Math.abs));
    const factors = run.factors.map((f) => number(f, 3)).join(" and ");
    if (!run.momentum) {
      let what;
      if (worst >= 1) {
        what =
          `Diverges: lr is above the stability bound ${number(spec.bound, 4)}. A factor below ` +
          "\u22121 sends each step to the other side of the optimum, farther from it than it started.";
      } else if (Math.min(...run.factors) < 0) {
        what = "Converges, overshooting: a negative factor sends the path across the optimum at every step.";
      } else {
        what = "Converges without overshooting: both factors are positive.";
      }
      return `${what} One step multiplies the two parts of the distance to the optimum by ${factors}.`;
    }
    const momentum = run.momentum.toFixed(spec.momentum_decimals);
    let what;
    if (worst >= 1) {
      const bound = spec.bounds[spec.momenta.indexOf(run.momentum)];
      what =
        `Diverges: with momentum ${momentum}, lr must stay below ${number(bound, 4)}, ` +
        "1 + momentum times the stability bound without it.";
    } else if (run.swings.some(Boolean) || Math.min(...run.factors) < 0) {
      what = "Converges, swinging: the velocity carries the path across the optimum and back.";
    } else {
      what = "Converges without crossing the optimum.";
    }
    return (
      `${what} With momentum ${momentum}, each step multiplies the two parts of the distance to ` +
      `the optimum by about ${factors} in the long run (for each, the larger root of ` +
      "z\u00b2 \u2212 (1 + \u03bc \u2212 2\u03b7\u03bb) z + \u03bc, in size where the roots are complex)."
    );
  }

  // A labelled slider over `count` positions, with an <output> that shows its value.
  function slider(parent, id, name) {
    const row = html("div", { class: "linreg-explorer-control" }, parent);
    const label = html("label", { for: id }, row, `${name} `);
    // aria-live off: an <output> is a live region, and the slider's valuetext already says it
    const shown = html("output", { for: id, "aria-live": "off" }, label);
    const input = html("input", { type: "range", id, min: 0, step: 1 }, row);
    return { row, shown, input };
  }

  function build(box) {
    const data = box.dataset.explorer
      ? JSON.parse(box.dataset.explorer)
      : (window.linregExplorers || {})[box.dataset.explorerId];
    if (!data) return; // its runs did not load: the static figure stays
    const sets = data.sets || [data];
    const uid = `linreg-explorer-${document.querySelectorAll(".linreg-explorer.is-live").length}`;
    box.classList.add("is-live");
    // The static figure and its note stay in the page (explorer.css hides them from now on).

    const controls = html("div", { class: "linreg-explorer-controls" }, box);
    let choice = null;
    if (sets.length > 1) {
      const row = html("div", { class: "linreg-explorer-control" }, controls);
      html("label", { for: `${uid}-data` }, row, "Data ");
      choice = html("select", { id: `${uid}-data` }, row);
      sets.forEach((set, i) => html("option", { value: i }, choice, set.name));
    }
    const lr = slider(controls, `${uid}-lr`, "Learning rate");
    const momentum = slider(controls, `${uid}-momentum`, "Momentum");
    if (!sets.some((set) => set.momenta.length > 1)) momentum.row.remove();
    const status = html("p", { class: "linreg-explorer-status", "aria-live": "polite" }, box);
    const panels = html("div", { class: "linreg-explorer-panels" }, box);
    const legend = html("p", { class: "linreg-explorer-legend" }, box);
    html("p", { class: "linreg-explorer-caption" }, box, "Loss after each step (step 0 is the start):");
    const list = html("ol", { class: "linreg-explorer-losses", start: 0 }, box);

    let show = () => {};

    // Draw the panels of one data set, and let the sliders pick among its runs.
    function use(spec, key, announce = false) {
      panels.replaceChildren();
      legend.replaceChildren();
      const land = panel(
        panels, spec, `${uid}-land-${key}`,
        "The path of gradient descent over the contours of the loss, for the chosen learning rate",
        [spec.view.W, spec.view.b], "W", "b",
      );
      spec.ticks.W.forEach((t) => land.tick("x", t, number(t, 3)));
      spec.ticks.b.forEach((t) => land.tick("y", t, number(t, 3)));
      for (const line of spec.contours) {
        const points = [];
        for (let i = 0; i < line.length; i += 2) points.push(`${line[i]},${line[i + 1]}`);
        svg("polyline", { points: points.join(" "), class: "contour" }, land.data);
      }
      const path = svg("polyline", { class: "path", "data-role": "path" }, land.data);
      const dots = svg("g", { class: "dots" }, land.area);
      const marks = svg("g", {}, land.area); // on top: the path does not hide the optimum
      const [ow, ob] = land.toPixels(...spec.optimum);
      svg("circle", { cx: ow, cy: ob, r: 5, class: "optimum" }, marks);
      if (spec.true) {
        const [tw, tb] = land.toPixels(...spec.true);
        svg("path", { d: `M${tw - 5},${tb}h10M${tw},${tb - 5}v10`, class: "true" }, marks);
      }

      const [lo, hi] = spec.loss_view.log10;
      const curve = panel(
        panels, spec, `${uid}-loss-${key}`,
        "The loss after each step on a logarithmic scale, for the chosen learning rate",
        [[0, spec.epochs], [lo, hi]], "step", "loss (log scale)",
      );
      const every = [1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500].find((s) => spec.epochs / s <= 6) || 1000;
      for (let e = 0; e <= spec.epochs; e += every) curve.tick("x", e, String(e));
      const SUPERSCRIPT = { "-": "\u207b", 0: "\u2070", 1: "\u00b9", 2: "\u00b2", 3: "\u00b3" };
      const power = (k) => [...String(k)].map((c) => SUPERSCRIPT[c] ?? String.fromCharCode(0x2070 + Number(c))).join("");
      const decade = (k) => (Math.abs(k) <= 2 ? String(Number((10 ** k).toFixed(2))) : `10${power(k)}`);
      spec.loss_view.ticks.forEach((k) => curve.tick("y", k, decade(k)));
      const logOf = (v) => Math.log10(Math.max(v, 10 ** lo)); // a loss of 0 sits on the floor
      const floor = curve.toPixels(0, logOf(spec.best_loss))[1];
      svg("line", { x1: spec.plot[0], x2: spec.plot[0] + spec.plot[2], y1: floor, y2: floor, class: "floor" }, curve.area);
      const lossLine = svg("polyline", { class: "path", "data-role": "loss" }, curve.data);

      const keys = [["path", "the path, one dot per step"], ["optimum", "least squares"]];
      if (spec.true) keys.push(["true", "true (W, b)"]);
      keys.push(["floor", "least-squares loss"]);
      for (const [name, text] of keys) {
        const item = html("span", { class: "item" }, legend, ` ${text}`);
        item.prepend(html("span", { class: `key ${name}` }));
      }

      lr.input.max = spec.lrs.length - 1;
      lr.input.value = spec.start;
      momentum.input.max = spec.momenta.length - 1;
      momentum.input.value = 0;
      momentum.input.disabled = spec.momenta.length === 1;

      show = () => {
        const i = Number(lr.input.value);
        const m = Number(momentum.input.value);
        const run = spec.runs[m * spec.lrs.length + i];
        const lrText = run.lr.toFixed(spec.lr_decimals); // one width: the label does not jump
        const mText = run.momentum.toFixed(spec.momentum_decimals);
        lr.shown.textContent = lrText;
        lr.input.setAttribute("aria-valuetext", `learning rate ${lrText}`);
        momentum.shown.textContent = mText;
        momentum.input.setAttribute("aria-valuetext", `momentum ${mText}`);
        path.setAttribute("points", pairs(run.W, run.b));
        lossLine.setAttribute("points", pairs(run.loss.map((_, e) => e), run.loss.map(logOf)));
        // A long run's path is drawn finer, so that its crossings stay apart
        const long = run.W.length > 40;
        path.classList.toggle("long", long);
        dots.replaceChildren();
        run.W.forEach((W, j) => {
          const [x, y] = land.toPixels(W, run.b[j]);
          svg("circle", { cx: x, cy: y, r: long ? 1.2 : 2.5, class: "dot" }, dots);
        });
        list.replaceChildren(...run.loss.map((v) => html("li", {}, null, number(v))));
        const last = run.loss.length - 1;
        const where = spec.name ? ` on ${spec.name}` : "";
        const at = `at learning rate ${lrText}${sets.some((set) => set.momenta.length > 1) ? ` and momentum ${mText}` : ""}`;
        land.root.setAttribute("aria-label", `The path of gradient descent over the contours of the loss${where}, ${at}`);
        curve.root.setAttribute("aria-label", `The loss after each step on a logarithmic scale${where}, ${at}`);
        const reset = announce ? `${spec.name}: the sliders start again, ${at}. ` : "";
        announce = false;
        status.textContent =
          `${reset}${describe(spec, run)} ` +
          `After ${last} steps the loss is ${number(run.loss[last])} (least squares: ${number(spec.best_loss)}).`;
      };
      show();
    }

    lr.input.addEventListener("input", () => show());
    momentum.input.addEventListener("input", () => show());
    if (choice) choice.addEventListener("change", () => use(sets[Number(choice.value)], choice.value, true));
    use(sets[0], 0);
  }

  function start() {
    const boxes = ".linreg-explorer:is([data-explorer], [data-explorer-id]):not(.is-live)";
    for (const box of document.querySelectorAll(boxes)) {
      build(box);
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
