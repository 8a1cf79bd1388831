// Schakel's canvas: the drawn graph as a Streamlit component that talks back.
//
// The dashboard sends the drawing (nodes laid out in Python, physics off) and the texts
// of its buttons; what the analyst does comes back as an event {action, ids, seq}:
// select (click), expand (double-click), hide, pin, unpin, paths, undo. Search, fit,
// full screen, the context menu and the label sizes are handled here, without a round
// trip. Every text from the data goes in as text: labels are drawn on the canvas,
// tooltips are plain strings (vis-network shows them as text), and the menu and the
// legend are built with textContent, never innerHTML.
(function () {
  "use strict";
  var graphEl = document.getElementById("graph");
  var findEl = document.getElementById("find");
  var foundEl = document.getElementById("found");
  var menuEl = document.getElementById("menu");
  var legendEl = document.getElementById("legend");
  var buttons = {fit: document.getElementById("fit"), undo: document.getElementById("undo"),
                 full: document.getElementById("full")};
  var network = null, nodes = null, edges = null;
  var args = null, drawing = null, seq = 0, fontBucket = null, findTimer = null;
  // this page's own mark: a reloaded canvas starts counting again, and is not taken for
  // the one whose events the dashboard has already acted on
  var page = Math.random().toString(36).slice(2);
  var draws = 0;

  function post(type, extra) {
    var msg = {isStreamlitMessage: true, type: type};
    for (var k in extra) { msg[k] = extra[k]; }
    window.parent.postMessage(msg, "*");
  }

  function send(action, ids, more) {
    seq += 1;
    var value = {action: action, ids: ids || [], seq: seq, page: page, drawing: drawing};
    for (var k in (more || {})) { value[k] = more[k]; }
    document.body.setAttribute("data-sent", action + ":" + seq);
    post("streamlit:setComponentValue", {value: value, dataType: "json"});
  }

  function text(key) { return (args && args.texts && args.texts[key]) || key; }

  function setLabels() {
    findEl.placeholder = text("find");
    findEl.setAttribute("aria-label", text("find"));
    buttons.fit.textContent = text("fit");
    buttons.undo.textContent = text("undo");
    buttons.undo.disabled = !args.can_undo;
    buttons.full.textContent = document.fullscreenElement ? text("exit_full") : text("full");
    graphEl.setAttribute("aria-label", text("graph"));
    legendEl.textContent = "";
    (args.legend || []).forEach(function (entry) {
      var key = document.createElement("span");
      key.className = "key";
      var mark = document.createElement("span");
      mark.className = "mark";
      mark.style.background = entry.color;
      if (entry.round) { mark.style.borderRadius = "50%"; }
      var label = document.createElement("span");
      label.textContent = entry.text;
      key.appendChild(mark);
      key.appendChild(label);
      legendEl.appendChild(key);
    });
  }

  // Labels keep a readable size on the screen: when the drawing is zoomed out, their
  // font grows (up to twice); incidents, signals and identifiers then lose theirs (their
  // tooltips still carry them), so that the persons' names can be read.
  var QUIET = {incident: true, signal: true, identifier: true};
  function scaleLabels() {
    if (!network) { return; }
    var scale = network.getScale();
    var bucket = Math.round(Math.min(2, Math.max(1, 0.8 / scale)) * 4) / 4;
    var small = scale < 0.7;
    var key = bucket + (small ? "s" : "");
    if (key === fontBucket) { return; }
    fontBucket = key;
    var updates = [];
    nodes.forEach(function (n) {
      var base = n.baseFont || 13;
      var hide = small && QUIET[n.kind] && !n.seed;
      updates.push({id: n.id, font: {size: hide ? 0 : Math.round(base * bucket),
                                     background: n.pinned ? "#fff3a6" : undefined,
                                     bold: n.seed ? true : false}});
    });
    nodes.update(updates);
  }

  function hideMenu() { menuEl.hidden = true; menuEl.textContent = ""; }

  function menuFor(ids, x, y) {
    hideMenu();
    if (!ids.length) { return; }
    var title = document.createElement("div");
    title.className = "title";
    title.textContent = ids.length === 1 ? (nodes.get(ids[0]).fullLabel || "")
                                         : text("selected").replace("{n}", ids.length);
    menuEl.appendChild(title);
    var allPinned = ids.every(function (i) { var n = nodes.get(i); return n && n.pinned; });
    var items = [];
    if (ids.length === 1) { items.push(["select", text("details")]); }
    items.push(["expand", text("expand")]);
    items.push([allPinned ? "unpin" : "pin", allPinned ? text("unpin") : text("pin")]);
    if (ids.some(function (i) { var n = nodes.get(i); return n && !n.fixedOnCanvas; })) {
      items.push(["hide", text("hide")]);
    }
    if (ids.length === 1 && args.paths_from && ids[0] !== args.paths_from
        && nodes.get(ids[0]).ref) {
      items.push(["paths", text("paths")]);
    }
    items.forEach(function (item) {
      var b = document.createElement("button");
      b.type = "button";
      b.setAttribute("role", "menuitem");
      b.setAttribute("data-action", item[0]);
      b.textContent = item[1];
      b.addEventListener("click", function () { act(item[0], ids); });
      menuEl.appendChild(b);
    });
    menuEl.hidden = false;
    var w = menuEl.offsetWidth, h = menuEl.offsetHeight;
    menuEl.style.left = Math.max(0, Math.min(x, window.innerWidth - w - 4)) + "px";
    menuEl.style.top = Math.max(0, Math.min(y, window.innerHeight - h - 4)) + "px";
    var first = menuEl.querySelector("button");
    if (first) { first.focus(); }
  }

  function act(action, ids) {
    hideMenu();
    if (action === "pin" || action === "unpin") {
      send(action, ids, {positions: network.getPositions(ids)});
    } else {
      send(action, ids);
    }
  }

  function find() {
    var wanted = findEl.value.trim().toLowerCase();
    if (!wanted) { foundEl.textContent = ""; network.unselectAll(); return []; }
    var hits = nodes.get({filter: function (n) {
      return (n.fullLabel || "").toLowerCase().indexOf(wanted) >= 0
        || (n.title || "").toLowerCase().indexOf(wanted) >= 0;
    }}).map(function (n) { return n.id; });
    network.selectNodes(hits);
    foundEl.textContent = text("found").replace("{n}", hits.length);
    if (hits.length === 1) {
      network.focus(hits[0], {scale: Math.max(network.getScale(), 1.1), animation: false});
    } else if (hits.length) {
      network.fit({nodes: hits, animation: false});
    }
    document.body.setAttribute("data-found", hits.length);
    return hits;
  }

  function draw(a) {
    var began = performance.now();
    var keep = network && drawing && a.keep_view ? {position: network.getViewPosition(),
                                                    scale: network.getScale()} : null;
    drawing = a.drawing;
    fontBucket = null;
    draws += 1;
    document.body.setAttribute("data-draws", draws);
    nodes = new vis.DataSet(a.nodes);
    edges = new vis.DataSet(a.edges);
    if (network) { network.destroy(); }
    document.body.removeAttribute("data-drawn");
    network = new vis.Network(graphEl, {nodes: nodes, edges: edges}, a.options);
    window.schakelNetwork = network;  // for the browser tests and benchmarks, in this frame
    network.once("afterDrawing", function () {
      if (keep) { network.moveTo({position: keep.position, scale: keep.scale}); }
      scaleLabels();
      document.body.setAttribute("data-drawn", nodes.length);
      document.body.setAttribute("data-drawing", drawing);
      // how long this frame took to draw what arrived (bench.canvas reports it)
      document.body.setAttribute("data-draw-ms", Math.round(performance.now() - began));
    });
    network.on("zoom", scaleLabels);
    network.on("click", function (p) {
      // a right button's release is a "click" too: it must not close the menu it opened
      var src = p.event && p.event.srcEvent;
      if (src && src.button === 2) { return; }
      hideMenu();
      if (p.nodes.length) { send("select", network.getSelectedNodes()); }
    });
    if (findEl.value) { find(); }
  }

  function render(a) {
    args = a;
    setLabels();
    var height = a.height || 640;
    graphEl.style.height = document.fullscreenElement ? "" : height + "px";
    if (a.drawing !== drawing) { draw(a); }
    if (a.selected && a.selected.length) {
      var present = a.selected.filter(function (i) { return nodes.get(i) !== null; });
      network.selectNodes(present);
    }
    post("streamlit:setFrameHeight", {height: document.body.scrollHeight});
  }

  window.addEventListener("message", function (event) {
    if (event.source !== window.parent) { return; }
    var data = event.data || {};
    if (data.type === "streamlit:render") { render(data.args || {}); }
  });

  function nodeAt(e) {
    var box = graphEl.getBoundingClientRect();
    if (e.clientX < box.left || e.clientX > box.right || e.clientY < box.top
        || e.clientY > box.bottom) { return undefined; }
    return network.getNodeAt({x: e.clientX - box.left, y: e.clientY - box.top});
  }

  // A double-click expands: the browser's own dblclick (vis-network's double tap missed
  // some when the page answered the first click in between).
  document.addEventListener("dblclick", function (e) {
    if (!network || menuEl.contains(e.target)) { return; }
    var id = nodeAt(e);
    if (id !== undefined) { send("expand", [id]); }
  });

  // The context menu: on the drawing, also where a tooltip covers it.
  document.addEventListener("contextmenu", function (e) {
    var box = graphEl.getBoundingClientRect();
    if (!network || menuEl.contains(e.target) || e.clientX < box.left || e.clientX > box.right
        || e.clientY < box.top || e.clientY > box.bottom) { return; }
    e.preventDefault();
    var id = network.getNodeAt({x: e.clientX - box.left, y: e.clientY - box.top});
    if (id === undefined) { hideMenu(); return; }
    var chosen = network.getSelectedNodes();
    if (chosen.indexOf(id) < 0) { network.selectNodes([id]); chosen = [id]; }
    menuFor(chosen, e.clientX, e.clientY);
  });

  findEl.addEventListener("input", function () {
    clearTimeout(findTimer);
    findTimer = setTimeout(find, 150);
  });
  findEl.addEventListener("keydown", function (e) {
    if (e.key === "Enter") {
      var hits = find();
      if (hits.length === 1) { send("select", hits); }
    }
  });
  buttons.fit.addEventListener("click", function () { if (network) { network.fit(); } });
  buttons.undo.addEventListener("click", function () { send("undo", []); });
  buttons.full.addEventListener("click", function () {
    if (document.fullscreenElement) { document.exitFullscreen(); }
    else if (document.documentElement.requestFullscreen) {
      document.documentElement.requestFullscreen();
    }
  });
  document.addEventListener("fullscreenchange", function () {
    buttons.full.textContent = document.fullscreenElement ? text("exit_full") : text("full");
    graphEl.style.height = document.fullscreenElement ? "" : (args.height || 640) + "px";
    if (network) { network.redraw(); network.fit(); }
  });
  // The keyboard: with the drawing focused, Enter opens the menu of the selected nodes,
  // E expands them, Delete leaves them out, Escape closes the menu.
  document.addEventListener("keydown", function (e) {
    if (e.key === "Escape") { hideMenu(); graphEl.focus(); return; }
    if (!graphEl.contains(document.activeElement) || !network) { return; }
    var chosen = network.getSelectedNodes();
    if (!chosen.length) { return; }
    if (e.key === "Enter") {
      var box = graphEl.getBoundingClientRect();
      var pos = network.canvasToDOM(network.getPositions([chosen[0]])[chosen[0]]);
      menuFor(chosen, box.left + pos.x, box.top + pos.y);
    } else if (e.key === "e" || e.key === "E") {
      send("expand", chosen);
    } else if (e.key === "Delete") {
      send("hide", chosen);
    }
  });
  document.addEventListener("click", function (e) {
    if (!menuEl.contains(e.target) && e.target !== graphEl) { hideMenu(); }
  });
  post("streamlit:componentReady", {apiVersion: 1});
})();
