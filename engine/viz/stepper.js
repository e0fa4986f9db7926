/* The step-through page's script (engine/viz/page.py puts it in every page and notebook
   output). It finds each stepper box not set up yet, reads its frames (gzip-compressed JSON
   in base64) and adds the controls. The graph is drawn once; a frame only changes which node
   is current, which numbers are shown, the step's text and the gradients on the edges. */
(function () {
  "use strict";
  var PLAY_MS = 1200;                 // one step per 1.2 s at speed 1
  var SPEEDS = [0.5, 1, 2, 4, 8];
  var LEGIBLE_PX = 10;                // the graph's text never gets smaller than this
  var SVG_NS = "http://www.w3.org/2000/svg";

  // --- reading the data ----------------------------------------------------------------
  function unpack(text) {
    var bytes = Uint8Array.from(atob(text), function (c) { return c.charCodeAt(0); });
    var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
    return new Response(stream).text().then(JSON.parse);
  }

  // The exercise's answers come sealed: mixed with the xorshift32 stream of a key (as
  // page.py's seal writes them), so that neither view-source nor the data shows them.
  function unseal(text, key) {
    var bin = atob(text), out = new Uint8Array(bin.length), x = (key >>> 0) || 0x9E3779B9;
    for (var i = 0; i < bin.length; i++) {
      x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
      out[i] = bin.charCodeAt(i) ^ (x & 255);
    }
    return new TextDecoder().decode(out);
  }

  // --- the numbers a learner types -------------------------------------------------------
  // As a person types them: a typographic minus, a leading +, spaces, a decimal comma;
  // not as a programming language reads them (0x1, 1_000 and inf are not numbers here).
  function parseNumber(typed) {
    var t = typed.trim().replace(/[\u2212\u2012\u2013\u2014\uFE63\uFF0D]/g, "-")
      .replace(/\s+/g, "").replace(/^\+/, "");
    // A decimal comma (-0,75), not a thousands separator (1,000 is refused, not 1).
    var comma = /^-?(\d+),(\d+)$/.exec(t);
    if (comma) {
      if (comma[1].replace(/^0+/, "") !== "" && comma[2].length === 3) return null;
      t = t.replace(",", ".");
    }
    if (!/^-?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t)) return null;
    return Number(t);
  }

  // Half a unit of the third significant digit of v.
  function tolerance(v) {
    if (v === 0 || !isFinite(v)) return 0;
    var e = Math.floor(Math.log10(Math.abs(v)));
    return 0.5 * Math.pow(10, e - 2) * (1 + 1e-9);
  }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function button(cls, text, title) {
    var b = el("button", cls, text);
    b.type = "button";
    if (title) b.title = title;
    return b;
  }

  function setText(node, text) {
    if (node && node.textContent !== text) node.textContent = text;
  }

  // --- one stepper ------------------------------------------------------------------------
  function setUp(box, D) {
    var nodes = D.nodes, runs = D.runs, steps = D.steps, asks = D.asks;
    var nf = D.forward, n = steps.length, ex = D.exercise, k = D.start;
    var timer = null, speed = 1, zoom = 1, fitting = true, current = 0;
    var questions = [];
    for (var q = 0; q < n - nf; q++) {
      questions.push({typed: "", tries: 0, settled: false, right: false, first: false,
                      verdict: null});
    }
    var opened = {};
    function key(j) { return ((D.key ^ ((j + 1) * 0x9E3779B1)) >>> 0); }
    function open(text, j) {
      if (!ex) return text;
      var id = j + ":" + text;
      if (!(id in opened)) opened[id] = unseal(text, key(j));
      return opened[id];
    }
    function known(i, back) {   // is node i's gradient shown at backward step `back`?
      var b = nodes[i][2];
      return b <= back && (!ex || questions[b].settled);
    }
    function gradOf(i) { return open(nodes[i][1], nodes[i][2]); }
    // Per run: its last forward step and its last backward step (a box is done after both).
    var runLast = runs.map(function (r) {
      var f = -1, b = -1;
      r[4].forEach(function (m) { f = Math.max(f, m); b = Math.max(b, nodes[m][2]); });
      return [f, b];
    });

    // --- the controls --------------------------------------------------------------------
    var bar = el("div", "sg-bar");
    var startB = button("sg-start", "\u25c0\u25c0 start", "the first step (Home)");
    var prevB = button("sg-prev", "\u25c0 prev", "the previous step (\u2190)");
    var playB = button("sg-play", "\u25b6 play", "play the steps (Space)");
    var nextB = button("sg-next", "next \u25b6", "the next step (\u2192)");
    var backB = button("sg-backward", "backward \u25b6\u25b6",
                       "the first step of backpropagation");
    var slider = el("input", "sg-slider");
    slider.type = "range"; slider.min = "0"; slider.max = String(n - 1); slider.step = "1";
    slider.setAttribute("aria-label", "step");
    var speedS = el("select", "sg-speed");
    speedS.setAttribute("aria-label", "play speed");
    speedS.title = "play speed";
    SPEEDS.forEach(function (s) {
      var o = el("option", "", s + "\u00d7");
      o.value = String(s);
      if (s === 1) o.selected = true;
      speedS.appendChild(o);
    });
    [startB, prevB, playB, nextB, backB, slider, speedS].forEach(function (c) {
      bar.appendChild(c);
    });

    var tools = el("div", "sg-bar sg-tools");
    var outB = button("sg-zoom-out", "\u2212", "zoom out (-)");
    var fitB = button("sg-fit", "fit", "fit the graph to the width, as far as it stays legible");
    var inB = button("sg-zoom-in", "+", "zoom in (+)");
    var zoomL = el("span", "sg-zoomed");
    [outB, fitB, inB, zoomL].forEach(function (c) { tools.appendChild(c); });
    var viewButtons = [];
    if (D.views.length > 1) {
      D.views.forEach(function (v, i) {
        var b = button("sg-view-" + i, v.name,
                       i === 0 ? "each neuron as one box" : "every node of the graph");
        b.addEventListener("click", function () { switchView(i); });
        viewButtons.push(b);
        tools.appendChild(b);
      });
    }
    var hint = el("span", "sg-hint");
    tools.appendChild(hint);

    var viewEl = el("div", "sg-view");
    var legend = el("p", "sg-hint sg-legend",
      "yellow: the current node \u00b7 green: done \u00b7 red on an edge: the gradient " +
      "it brought back \u00b7 drag to pan, Ctrl+wheel or pinch to zoom" +
      (D.views.length > 1 ? " \u00b7 click a neuron to open it, its frame to close it" : ""));
    var exercise = el("div", "sg-exercise");
    var score = el("p", "sg-score");
    score.hidden = true;

    // --- the drawings ------------------------------------------------------------------
    var views = D.views.map(function (v) {
      var boxes = {};
      v.boxes.forEach(function (r) { boxes[r] = true; });
      return {text: v.svg, boxes: boxes, svg: null};
    });
    function boxOf(i, view) { var r = nodes[i][3]; return r >= 0 && view.boxes[r] ? r : -1; }
    function idOf(i, view) { var r = boxOf(i, view); return r >= 0 ? "r" + r : "v" + i; }
    function opOf(i, view) { var r = boxOf(i, view); return r >= 0 ? "r" + r : "v" + i + "op"; }

    function build(view) {
      var parsed = new DOMParser().parseFromString(view.text, "image/svg+xml");
      var svg = document.importNode(parsed.documentElement, true);
      var vb = svg.viewBox.baseVal;
      view.w = parseFloat(svg.getAttribute("width")) * 4 / 3;
      view.h = parseFloat(svg.getAttribute("height")) * 4 / 3;
      var unit = vb && vb.width ? view.w / vb.width : 4 / 3;
      svg.removeAttribute("width");
      svg.removeAttribute("height");
      view.nodes = {}; view.edges = {}; view.clusters = {}; view.state = {};
      var smallest = Infinity;
      Array.prototype.forEach.call(svg.querySelectorAll("text"), function (t) {
        var size = parseFloat(t.getAttribute("font-size"));
        if (size) smallest = Math.min(smallest, size);
      });
      view.minZoom = isFinite(smallest) ? Math.min(1, LEGIBLE_PX / (smallest * unit)) : 1;
      Array.prototype.forEach.call(svg.querySelectorAll("g.node"), function (g) {
        var title = g.querySelector("title").textContent;
        for (var c = g.firstElementChild; c; c = c.nextElementSibling) {
          if (/^(polygon|path|ellipse)$/.test(c.tagName)) {
            c.classList.add("sg-shape");
            break;
          }
        }
        if (title.charAt(0) === "r") g.setAttribute("data-sg-box", title.slice(1));
        view.nodes[title] = {g: g, texts: g.querySelectorAll("text")};
      });
      Array.prototype.forEach.call(svg.querySelectorAll("g.edge"), function (g) {
        view.edges[g.querySelector("title").textContent] = g;
      });
      Array.prototype.forEach.call(svg.querySelectorAll("g.cluster"), function (g) {
        var title = g.querySelector("title").textContent;
        g.setAttribute("data-sg-cluster", title.replace("cluster_r", ""));
        view.clusters[title.replace("cluster_r", "")] = g;
      });
      view.svg = svg;
    }

    function nodeTexts(view, back) {
      for (var i = 0; i < nodes.length; i++) {
        if (boxOf(i, view) >= 0) continue;
        var found = view.nodes["v" + i];
        if (!found) continue;
        var t = found.texts, last = t.length;
        setText(t[last - 2], "data " + (i <= k ? nodes[i][0] : "?"));
        setText(t[last - 1], back >= 0 ? "grad " + (known(i, back) ? gradOf(i) : "?") : "");
      }
      runs.forEach(function (run, r) {
        if (!view.boxes[r]) return;
        var found = view.nodes["r" + r];
        if (!found) return;
        var z = run[0], a = run[1], act = run[2];
        var lines = ["z = " + (z <= k ? nodes[z][0] : "?")];
        if (act && a >= 0) lines.push("a = " + act + "(z) = " + (a <= k ? nodes[a][0] : "?"));
        lines.push(back >= 0 ? "\u03b4 = \u2202" + D.root + "/\u2202z = " +
                   (known(z, back) ? gradOf(z) : "?") : "");
        var t = found.texts, first = t.length - lines.length;
        lines.forEach(function (line, m) { setText(t[first + m], line); });
      });
    }

    function nodeStates(view, back, node) {
      var want = {};
      for (var i = 0; i < nodes.length; i++) {
        if (boxOf(i, view) >= 0) continue;
        if (back < 0 ? i < k : nodes[i][2] < back) want["v" + i] = "sg-done";
      }
      runs.forEach(function (run, r) {
        if (!view.boxes[r]) return;
        if (back < 0 ? runLast[r][0] < k : runLast[r][1] < back) want["r" + r] = "sg-done";
      });
      want[idOf(node, view)] = "sg-cur";
      Object.keys(view.nodes).forEach(function (id) {
        var state = want[id] || "";
        if (view.state[id] === state) return;
        var g = view.nodes[id].g;
        if (view.state[id]) g.classList.remove(view.state[id]);
        if (state) g.classList.add(state);
        view.state[id] = state;
      });
    }

    function edgeLabels(view, back, node) {
      Array.prototype.forEach.call(view.svg.querySelectorAll(".sg-elabel"), function (e) {
        e.parentNode.removeChild(e);
      });
      Array.prototype.forEach.call(view.svg.querySelectorAll(".sg-carry"), function (e) {
        e.classList.remove("sg-carry");
      });
      if (back < 0) return;
      var labels = {}, order = [];
      steps[k][2].forEach(function (arrival) {
        var tail = idOf(node, view), head = opOf(arrival[0], view);
        if (tail === head) return;
        var id = tail + "->" + head;
        var text = ex && !questions[back].settled ? "?" : open(arrival[1], back);
        if (!(id in labels)) { labels[id] = []; order.push(id); }
        labels[id].push(text);
      });
      var placed = [];
      order.forEach(function (id) {
        var edge = view.edges[id];
        if (!edge) return;
        var path = edge.querySelector("path");
        if (!path) return;
        edge.classList.add("sg-carry");
        var g = document.createElementNS(SVG_NS, "g");
        g.setAttribute("class", "sg-elabel");
        var rect = document.createElementNS(SVG_NS, "rect");
        var text = document.createElementNS(SVG_NS, "text");
        text.setAttribute("text-anchor", "middle");
        text.setAttribute("dominant-baseline", "central");
        text.textContent = labels[id].join(" + ");
        g.appendChild(rect);
        g.appendChild(text);
        edge.parentNode.appendChild(g);   // over the nodes, which come later in the SVG
        var size = text.getBBox(), w = size.width + 6, h = size.height + 2;
        var at = labelPlace(view, path, w, h, placed);
        placed.push([at.x - w / 2, at.y - h / 2, at.x + w / 2, at.y + h / 2]);
        text.setAttribute("x", at.x);
        text.setAttribute("y", at.y);
        var bb = text.getBBox();
        rect.setAttribute("x", bb.x - 3);
        rect.setAttribute("y", bb.y - 1);
        rect.setAttribute("width", bb.width + 6);
        rect.setAttribute("height", bb.height + 2);
        rect.setAttribute("rx", 3);
      });
    }

    // Where a w × h label of an edge goes: near the current node on a long edge, half way on
    // a short one; if a node (or a label already placed) is in the way there, the nearest
    // place by the edge that covers nothing (an edge shorter than its label, between a box
    // and an operation, has no room on the line itself). Nodes never move: their boxes, in
    // the drawing's units, are measured once per view.
    function labelPlace(view, path, w, h, placed) {
      var length = path.getTotalLength();
      var home = path.getPointAtLength(length * (length > 150 ? 0.3 : 0.5));
      if (!view.rects) {
        var sheet = view.svg.querySelector("g.graph > polygon");  // the drawing's background
        var b = sheet && sheet.getBBox();
        if (!b || !b.width) return home;   // not laid out (hidden): measure another time
        view.bounds = [b.x, b.y, b.x + b.width, b.y + b.height];
        view.rects = Object.keys(view.nodes).map(function (id) {
          var n = view.nodes[id].g.getBBox();
          return [n.x, n.y, n.x + n.width, n.y + n.height];
        });
      }
      var e = path.getBBox(), reach = 3 * h + w;
      var near = view.rects.concat(placed).filter(function (q) {
        return q[2] > e.x - reach && q[0] < e.x + e.width + reach &&
               q[3] > e.y - reach && q[1] < e.y + e.height + reach;
      });
      var o = view.bounds;
      function free(x, y) {
        var l = x - w / 2, t = y - h / 2, r = x + w / 2, btm = y + h / 2;
        if (l < o[0] || t < o[1] || r > o[2] || btm > o[3]) return false;
        return near.every(function (q) {
          return r <= q[0] || l >= q[2] || btm <= q[1] || t >= q[3];
        });
      }
      if (free(home.x, home.y)) return home;
      var best = null, bestD = Infinity;
      for (var f = 0.05; f < 1; f += 0.05) {
        var p = path.getPointAtLength(length * f);
        for (var dx = -w / 2; dx <= w / 2 + 1e-9; dx += w / 4) {
          for (var dy = -3 * h; dy <= 3 * h + 1e-9; dy += h / 4) {
            var x = p.x + dx, y = p.y + dy, d = Math.hypot(x - home.x, y - home.y);
            if (d < bestD && free(x, y)) { best = {x: x, y: y}; bestD = d; }
          }
        }
      }
      return best || home;
    }

    // --- zoom, pan and keeping the current node in view ------------------------------------
    function view() { return views[current]; }
    function applyZoom() {
      var v = view();
      v.svg.style.width = (v.w * zoom) + "px";
      v.svg.style.height = (v.h * zoom) + "px";
      setText(zoomL, Math.round(zoom * 100) + "%");
      outB.disabled = zoom <= v.minZoom + 1e-9;
      fitB.setAttribute("aria-pressed", fitting ? "true" : "false");
      setText(hint, v.w * zoom > viewEl.clientWidth + 1 || v.h * zoom > viewEl.clientHeight + 1
        ? "scroll or drag to see the rest" : "");
    }
    function fitZoom() {
      var v = view(), room = Math.max(viewEl.clientWidth - 4, 50);
      return Math.max(v.minZoom, Math.min(1, room / v.w));
    }
    function setZoom(z, clientX, clientY) {
      var v = view(), box_ = viewEl.getBoundingClientRect();
      z = Math.max(v.minZoom, Math.min(4, z));
      var px = clientX === undefined ? viewEl.clientWidth / 2 : clientX - box_.left;
      var py = clientY === undefined ? viewEl.clientHeight / 2 : clientY - box_.top;
      var sx = (viewEl.scrollLeft + px) / zoom, sy = (viewEl.scrollTop + py) / zoom;
      zoom = z;
      applyZoom();
      viewEl.scrollLeft = sx * zoom - px;
      viewEl.scrollTop = sy * zoom - py;
    }
    function refit() { if (fitting) { zoom = fitZoom(); applyZoom(); } }
    function reveal(g, instant) {
      if (!g) return;
      var r = g.getBoundingClientRect(), v = viewEl.getBoundingClientRect(), m = 24;
      var dx = 0, dy = 0;
      if (r.left < v.left + m || r.right > v.right - m) {
        dx = (r.left + r.right) / 2 - (v.left + v.right) / 2;
      }
      if (r.top < v.top + m || r.bottom > v.bottom - m) {
        dy = (r.top + r.bottom) / 2 - (v.top + v.bottom) / 2;
      }
      // A short way glides (the eye follows it); a long way, or while playing, jumps.
      var far = Math.abs(dx) > v.width / 2 || Math.abs(dy) > v.height / 2;
      if (dx || dy) {
        viewEl.scrollBy({left: dx, top: dy, behavior: instant || far ? "auto" : "smooth"});
      }
    }

    function switchView(i, focusOn) {
      if (i === current && views[i].svg && views[i].svg.parentNode) return;
      current = i;
      var v = views[i];
      if (!v.svg) build(v);
      viewEl.innerHTML = "";
      viewEl.appendChild(v.svg);
      viewButtons.forEach(function (b, m) {
        b.setAttribute("aria-pressed", m === i ? "true" : "false");
      });
      if (fitting) zoom = fitZoom();
      zoom = Math.max(zoom, v.minZoom);
      applyZoom();
      render();
      reveal(focusOn || v.nodes[idOf(steps[k][1], v)].g, true);
    }

    // --- the exercise -------------------------------------------------------------------
    function scoreText() {
      var settled = 0, first = 0;
      questions.forEach(function (q) {
        if (q.settled) settled++;
        if (q.first) first++;
      });
      score.hidden = settled === 0;
      setText(score, settled === questions.length
        ? "Done: " + first + " of " + questions.length + " right on the first try."
        : "So far " + first + " of " + questions.length + " right on the first try (" +
          settled + " answered).");
    }

    function judge(j, input) {
      var q = questions[j], ask = asks[j];
      if (q.settled) return;
      q.typed = input.value;
      var x = parseNumber(q.typed);
      if (x === null) {
        q.verdict = ["sg-wrong", "Type a number, such as -0.75, 0.5 or 3e-4.", ""];
      } else if (!isFinite(x)) {
        q.verdict = ["sg-wrong", "That number is beyond the largest float; type one such " +
                     "as -0.75 or 3e-4.", ""];
      } else {
        var value = Number(open(ask[1], j)), shown = Number(open(ask[2], j));
        var close = Math.abs(x - value) <= tolerance(value) ||
                    Math.abs(x - shown) <= tolerance(shown);
        // A value this close to 0 is what rounding left of an exact 0 (0.1 + 0.2 - 0.3).
        var rounding = !close && Math.abs(value) <= D.zero && Math.abs(x) <= D.zero;
        var typed = q.typed.trim();
        if (close || rounding) {
          q.settled = q.right = true;
          q.first = q.tries === 0;
          q.verdict = ["sg-right", "\u2713 Right" + (q.first ? "" : ", on the second try") +
                       ": " + ask[0] + " = " + open(ask[2], j) +
                       (rounding ? ", which is 0 but for the floats' rounding" : ""), ""];
        } else {
          q.tries++;
          if (q.tries < 2) {
            q.verdict = ["sg-wrong", "\u2717 Not quite: you typed " + typed +
                         ". One more try.", "Hint: " + ask[4]];
          } else {
            q.settled = true;
            q.verdict = ["sg-wrong", "\u2717 Not quite: you typed " + typed + "; " + ask[0] +
                         " = " + open(ask[2], j), ""];
          }
        }
      }
      render();
    }

    function askFor(j, focus) {
      exercise.innerHTML = "";
      var q = questions[j], ask = asks[j];
      var row = el("div", "sg-ask");
      var label = el("label", "");
      label.appendChild(el("span", "sg-question", ask[0]));
      label.appendChild(document.createTextNode(" = "));
      var input = el("input", "sg-answer");
      input.autocomplete = "off";
      input.setAttribute("inputmode", "decimal");
      input.setAttribute("enterkeyhint", "done");
      input.spellcheck = false;
      input.value = q.typed;
      input.disabled = q.settled;
      label.appendChild(input);
      row.appendChild(label);
      var check = button("sg-check", "check", "check the answer (Enter)");
      var give = button("sg-give-up", "show the answer", "show it (counts as not right)");
      check.disabled = give.disabled = q.settled;
      row.appendChild(check);
      row.appendChild(give);
      exercise.appendChild(row);
      var feedback = el("p", "sg-feedback");
      feedback.setAttribute("role", "status");
      if (q.verdict) {
        feedback.appendChild(el("span", q.verdict[0], q.verdict[1]));
        if (q.verdict[2]) feedback.appendChild(el("span", "sg-hint", " " + q.verdict[2]));
      }
      exercise.appendChild(feedback);
      var answer = el("pre", "sg-reveal");
      answer.hidden = !q.settled;
      if (q.settled) answer.textContent = open(ask[3], j);
      exercise.appendChild(answer);
      check.addEventListener("click", function () { judge(j, input); });
      give.addEventListener("click", function () {
        q.settled = true;
        q.verdict = ["sg-wrong", "The answer: " + ask[0] + " = " + open(ask[2], j), ""];
        render();
      });
      // Enter (with any modifier) checks, and once answered goes on: in a notebook it must
      // neither be cancelled by the notebook nor run the cell again (Shift+Enter).
      input.addEventListener("keydown", function (event) {
        event.stopPropagation();
        if (event.key !== "Enter") return;
        event.preventDefault();
        judge(j, input);
      });
      row.addEventListener("keydown", function (event) {
        if (event.key === "Enter" && event.target !== input && q.settled) {
          event.preventDefault();
          event.stopPropagation();
          show(k + 1, true);
        }
      });
      if (focus) (q.settled ? (k + 1 < n ? nextB : check) : input).focus({preventScroll: true});
    }

    // --- a frame ------------------------------------------------------------------------
    function render(focus) {
      var v = view(), back = k >= nf ? k - nf : -1, node = steps[k][1];
      setText(status, "step " + (k + 1) + " of " + n + " (" + (back < 0 ? "forward" :
              "backward") + ")");
      setText(text, steps[k][0]);
      nodeTexts(v, back);
      nodeStates(v, back, node);
      edgeLabels(v, back, node);
      slider.value = String(k);
      startB.disabled = prevB.disabled = k === 0;
      nextB.disabled = k === n - 1;
      backB.disabled = k === nf;
      if (ex && back >= 0) {
        var had = exercise.contains(document.activeElement);
        askFor(back, focus || had);
      } else {
        exercise.innerHTML = "";
      }
      if (ex) scoreText();
    }

    function show(j, focus) {
      var was = k;
      k = Math.max(0, Math.min(n - 1, j));
      render(focus && box.contains(document.activeElement));
      if (k !== was || focus) reveal(view().nodes[idOf(steps[k][1], view())].g, timer !== null);
    }

    function stop() {
      if (timer !== null) clearInterval(timer);
      timer = null;
      setText(playB, "\u25b6 play");
    }
    function waiting() { return ex && k >= nf && !questions[k - nf].settled; }
    function play() {
      if (timer !== null) { stop(); return; }
      if (k === n - 1) show(0);
      setText(playB, "\u275a\u275a pause");
      timer = setInterval(function () {
        show(k + 1);
        if (k === n - 1 || waiting()) stop();   // the end, or a question not yet answered
      }, PLAY_MS / speed);
    }

    // --- putting it on the page ----------------------------------------------------------
    var status = box.querySelector(".sg-status"), text = box.querySelector(".sg-text");
    var graph = box.querySelector(".sg-graph");
    var note = box.querySelector(".sg-static");
    if (note) note.parentNode.removeChild(note);
    status.parentNode.insertBefore(bar, status);
    text.parentNode.insertBefore(exercise, text.nextSibling);
    exercise.parentNode.insertBefore(score, exercise.nextSibling);
    graph.innerHTML = "";
    graph.removeAttribute("style");
    graph.appendChild(tools);
    graph.appendChild(viewEl);
    graph.appendChild(legend);

    startB.addEventListener("click", function () { stop(); show(0, true); });
    prevB.addEventListener("click", function () { stop(); show(k - 1, true); });
    nextB.addEventListener("click", function () { stop(); show(k + 1, true); });
    backB.addEventListener("click", function () { stop(); show(nf, true); });
    playB.addEventListener("click", play);
    slider.addEventListener("input", function () { stop(); show(Number(slider.value)); });
    speedS.addEventListener("change", function () {
      speed = Number(speedS.value);
      if (timer !== null) { stop(); play(); }
    });
    outB.addEventListener("click", function () { fitting = false; setZoom(zoom / 1.25); });
    inB.addEventListener("click", function () { fitting = false; setZoom(zoom * 1.25); });
    fitB.addEventListener("click", function () { fitting = true; refit(); });

    viewEl.addEventListener("wheel", function (event) {
      if (!event.ctrlKey && !event.metaKey) return;   // a plain wheel scrolls
      event.preventDefault();
      fitting = false;
      setZoom(zoom * Math.exp(-event.deltaY * 0.002), event.clientX, event.clientY);
    }, {passive: false});
    var pointers = {}, drag = null, pinch = null, dragged = false;
    function spread() {
      var p = Object.keys(pointers).map(function (id) { return pointers[id]; });
      return Math.hypot(p[0].x - p[1].x, p[0].y - p[1].y) || 1;
    }
    viewEl.addEventListener("pointerdown", function (event) {
      if (event.pointerType === "mouse" && event.button !== 0) return;
      pointers[event.pointerId] = {x: event.clientX, y: event.clientY};
      var count = Object.keys(pointers).length;
      if (count === 2) {
        pinch = {d: spread(), z: zoom};
        drag = null;
      } else if (count === 1 && event.pointerType === "mouse") {
        drag = {x: event.clientX, y: event.clientY, l: viewEl.scrollLeft, t: viewEl.scrollTop};
        dragged = false;
      }
    });
    viewEl.addEventListener("pointermove", function (event) {
      if (!(event.pointerId in pointers)) return;
      pointers[event.pointerId] = {x: event.clientX, y: event.clientY};
      if (pinch && Object.keys(pointers).length === 2) {
        var p = Object.keys(pointers).map(function (id) { return pointers[id]; });
        fitting = false;
        setZoom(pinch.z * spread() / pinch.d, (p[0].x + p[1].x) / 2, (p[0].y + p[1].y) / 2);
      } else if (drag) {
        var dx = event.clientX - drag.x, dy = event.clientY - drag.y;
        if (!dragged && Math.abs(dx) + Math.abs(dy) > 4) {
          dragged = true;
          viewEl.classList.add("sg-dragging");
          viewEl.setPointerCapture(event.pointerId);
        }
        if (dragged) {
          viewEl.scrollLeft = drag.l - dx;
          viewEl.scrollTop = drag.t - dy;
        }
      }
    });
    function release(event) {
      delete pointers[event.pointerId];
      if (Object.keys(pointers).length < 2) pinch = null;
      drag = null;
      viewEl.classList.remove("sg-dragging");
    }
    viewEl.addEventListener("pointerup", release);
    viewEl.addEventListener("pointercancel", release);
    viewEl.addEventListener("click", function (event) {
      if (dragged) { dragged = false; return; }
      var target = event.target;
      var opened_ = target.closest && target.closest("[data-sg-box]");
      var frame = target.closest && target.closest("[data-sg-cluster]");
      if (opened_ && views.length > 1) {
        var r = opened_.getAttribute("data-sg-box");
        switchView(1);
        reveal(views[1].clusters[r], false);
      } else if (frame && views.length > 1 && views[0].boxes[frame.getAttribute(
          "data-sg-cluster")]) {
        var r2 = frame.getAttribute("data-sg-cluster");
        switchView(0);
        reveal(views[0].nodes["r" + r2].g, false);
      }
    });

    // The keys: a page of its own takes them everywhere; in a notebook, only while the
    // stepper has the focus (a click on it gives it). Handled keys go no further, so a
    // notebook does not also act on them (JupyterLab moves between cells on arrows).
    var keys = box.parentNode === document.body ? document : box;
    keys.addEventListener("keydown", function (event) {
      var target = event.target || box;
      var owner = target.closest ? target.closest(".stepgrad-stepper") : null;
      if (owner && owner !== box) return;
      if ((target.tagName === "INPUT" && target.type !== "range") ||
          target.tagName === "TEXTAREA" || target.isContentEditable) return;
      if (event.altKey || event.ctrlKey || event.metaKey) return;
      if (event.key === "Enter" && target.tagName === "BUTTON") {
        event.preventDefault();   // clicked here, not also taken by a notebook
        event.stopPropagation();
        target.click();
        return;
      }
      var handled = true;
      switch (event.key) {
        case "ArrowRight": stop(); show(k + 1, true); break;
        case "ArrowLeft": stop(); show(k - 1, true); break;
        case "Home": stop(); show(0, true); break;
        case "End": stop(); show(n - 1, true); break;
        case " ":
          if (target.tagName === "BUTTON" || target.tagName === "SELECT") handled = false;
          else play();
          break;
        case "+": case "=": fitting = false; setZoom(zoom * 1.25); break;
        case "-": fitting = false; setZoom(zoom / 1.25); break;
        default: handled = false;
      }
      if (handled) {
        event.preventDefault();
        event.stopPropagation();
      }
    });
    if (typeof ResizeObserver !== "undefined") {
      new ResizeObserver(function () { refit(); }).observe(viewEl);
    } else {
      window.addEventListener("resize", refit);
    }
    switchView(0);
    box.setAttribute("data-ready", "playing");
  }

  function fail(box, error) {
    var message = el("p", "sg-error", "This stepper could not start its controls (" +
                     error + "); the picture above is one frame of it.");
    box.appendChild(message);
    box.setAttribute("data-ready", "failed");
  }

  var boxes = document.querySelectorAll(".stepgrad-stepper:not([data-ready])");
  Array.prototype.forEach.call(boxes, function (box) {
    var source = box.querySelector("script.sg-frames");
    if (!source) return;   // a copy whose script a notebook removed: it keeps its picture
    box.setAttribute("data-ready", "");
    try {
      if (typeof DecompressionStream === "undefined") {
        throw new Error("this browser cannot unpack the frames: it needs " +
                        "DecompressionStream (Chrome 80, Firefox 113, Safari 16.4 or later)");
      }
      unpack(JSON.parse(source.textContent).data).then(function (data) {
        setUp(box, data);
      }).catch(function (error) { fail(box, error); });
    } catch (error) {
      fail(box, error);
    }
  });
})();
