(function () {
  // The page may stand several times in one document (a notebook showing the same view in
  // two cells): set up every replay not set up yet, each from its own data and frame time.
  var roots = document.querySelectorAll("div.sg-replay:not([data-ready])");
  for (var r = 0; r < roots.length; r++) setUp(roots[r]);

  function setUp(root) {
    root.setAttribute("data-ready", "");
    var ms = Number(root.getAttribute("data-ms") || 125);
    var frames = JSON.parse(root.querySelector("script.sg-frames").textContent);
    var network = root.querySelector("img.sg-network"), plots = root.querySelector("img.sg-plots");
    var caption = root.querySelector(".sg-caption"), counter = root.querySelector(".sg-counter");
    var n = frames.length, k = 0, timer = null;
    frames[0].network = network.src;
    frames[0].plots = plots.src;
    var bar = document.createElement("div");
    bar.className = "sg-controls";
    function button(cls, label, title, action) {
      var b = document.createElement("button");
      b.type = "button"; b.className = cls; b.textContent = label; b.title = title;
      b.addEventListener("click", action); bar.appendChild(b); return b;
    }
    function show(i) {
      k = Math.max(0, Math.min(n - 1, i));
      network.src = frames[k].network; plots.src = frames[k].plots;
      network.alt = "the network at " + frames[k].text;
      plots.alt = "the data, the model's answer and the loss at " + frames[k].text;
      caption.textContent = frames[k].text;
      counter.textContent = "frame " + (k + 1) + " of " + n;
      slider.value = k; root.dataset.frame = k;
    }
    // Glyphs that the common fonts (DejaVu, Liberation) have: no U+23F8.
    var PLAY = "\u25b6 play", PAUSE = "\u275a\u275a pause";
    function stop() {
      if (timer !== null) { clearInterval(timer); timer = null; }
      play.textContent = PLAY; root.dataset.playing = "0";
    }
    function start() {
      if (k >= n - 1) show(0);
      timer = setInterval(function () { if (k >= n - 1) stop(); else show(k + 1); }, ms);
      play.textContent = PAUSE; root.dataset.playing = "1";
    }
    function toggle() { if (timer === null) start(); else stop(); }
    button("sg-first", "\u00ab start", "the first frame (Home)", function () { stop(); show(0); });
    button("sg-prev", "\u25c0 step", "the frame before (\u2190)", function () { stop(); show(k - 1); });
    var play = button("sg-play", PLAY, "play or pause (space)", toggle);
    button("sg-next", "step \u25b6", "the next frame (\u2192)", function () { stop(); show(k + 1); });
    var slider = document.createElement("input");
    slider.type = "range"; slider.min = 0; slider.max = n - 1; slider.value = 0;
    slider.className = "sg-slider"; slider.setAttribute("aria-label", "frame");
    slider.addEventListener("input", function () { stop(); show(+slider.value); });
    bar.appendChild(slider);
    root.insertBefore(bar, counter);

    function onKey(e) {
      if (e.altKey || e.ctrlKey || e.metaKey) return;
      var tag = e.target && e.target.tagName;
      // A button takes Space and Enter itself, the slider its arrows: not twice.
      if (tag === "BUTTON" && (e.key === " " || e.key === "Enter")) return;
      if (tag === "INPUT" && e.target !== slider || tag === "TEXTAREA" || tag === "SELECT") return;
      if (e.target === slider && e.key !== " ") return;
      if (e.key === "ArrowRight") { stop(); show(k + 1); }
      else if (e.key === "ArrowLeft") { stop(); show(k - 1); }
      else if (e.key === "Home") { stop(); show(0); }
      else if (e.key === "End") { stop(); show(n - 1); }
      else if (e.key === " ") toggle();
      else return;
      e.preventDefault();
      e.stopPropagation();   // in a notebook: not also a command to the notebook
    }
    // A saved page is the replay alone: its keys work at once, focus anywhere on the page.
    // In a notebook the replay takes keys only when it has the focus (a click or Tab), so
    // that it never takes the notebook's own keys.
    if (root.getAttribute("data-keys") === "page") document.addEventListener("keydown", onKey);
    else root.addEventListener("keydown", onKey);
    show(0);
  }
})();
