// The viewer's one page: OpenSeadragon over the slide's Deep Zoom tiles, the prediction overlay with an opacity
// slider and a layer switch (student, teacher, disagreement when the teacher ran), the legend, and the tile under
// the pointer with its probabilities (a click pins it). Everything it loads comes from the same server.

const STYLE = `
* { box-sizing: border-box; }
html, body { margin: 0; height: 100%; font: 14px/1.4 system-ui, 'DejaVu Sans', sans-serif; color: #1d2330; background: #f6f8fa; }
body { display: flex; flex-direction: column; }
header { padding: 8px 14px; background: #fff; border-bottom: 1px solid #d8dee4; }
header h1 { font-size: 16px; margin: 0; }
header p { margin: 2px 0 0; color: #57606a; }
#synthetic-banner { background: #fff3cd; color: #6b4e00; padding: 6px 14px; border-bottom: 1px solid #e8d48a; font-weight: 600; }
main { flex: 1; display: flex; min-height: 0; }
#osd { flex: 1; background: #fff; }
aside { width: 300px; padding: 12px 14px; overflow-y: auto; background: #fff; border-left: 1px solid #d8dee4; }
aside h2 { font-size: 13px; text-transform: uppercase; letter-spacing: .04em; color: #57606a; margin: 14px 0 6px; }
#legend { list-style: none; margin: 0; padding: 0; }
#legend li { display: flex; align-items: center; gap: 8px; margin: 3px 0; }
.swatch { width: 16px; height: 16px; border-radius: 3px; border: 1px solid rgba(0,0,0,.25); flex: none; }
#layers label { display: block; }
#opacity { width: 100%; }
#tile-info table { border-collapse: collapse; width: 100%; }
#tile-info th, #tile-info td { text-align: left; padding: 2px 4px; border-bottom: 1px solid #eaeef2; }
#tile-info td.p { text-align: right; font-variant-numeric: tabular-nums; }
#tile-info tr.top td { font-weight: 600; }
.hint { color: #57606a; font-size: 12px; }
.tile-box { border: 2px solid #111; box-shadow: 0 0 0 1px #fff; pointer-events: none; }
`;

// Plain JS for the browser (no template literals: this text sits inside one).
const SCRIPT = `
(async function () {
  var state = { ready: false, levelsLoaded: [], overlayLayer: null, pinned: null, shown: null };
  window.rdView = state;
  var info = await (await fetch('viewer.json')).json();
  state.info = info;
  var pred = info.predictions;
  function el(tag, attrs, children) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { if (k === 'text') e.textContent = attrs[k]; else e.setAttribute(k, attrs[k]); });
    (children || []).forEach(function (c) { e.appendChild(c); });
    return e;
  }
  var rgb = function (c) { return 'rgb(' + c.join(',') + ')'; };
  var pct = function (p) { return (100 * p).toFixed(1) + '%'; };
  var argmax = function (p) { return p.reduce(function (b, v, i) { return v > p[b] ? i : b; }, 0); };

  document.getElementById('title').textContent = info.slide.name + (pred ? ' \\u2014 ' + pred.model.label + ': ' + pred.label : '');
  document.getElementById('subtitle').textContent = info.slide.width + ' \\u00d7 ' + info.slide.height + ' px at ' + info.slide.mpp.toFixed(3) + ' \\u00b5m/px' +
    (pred ? '; ' + pred.tiles.length + ' tiles classified at ' + pred.model.magnification + 'x' : '; no predictions (give the folder predict wrote to see them)');
  if (pred && pred.synthetic) { var b = document.getElementById('synthetic-banner'); b.textContent = pred.warning; b.hidden = false; }

  var viewer = OpenSeadragon({
    // The 2D canvas drawer blends the overlay's straight alpha as drawn; WebGL (software-rendered without a GPU) did not.
    id: 'osd', prefixUrl: 'openseadragon/images/', tileSources: 'slide.dzi', showNavigator: true, drawer: 'canvas',
    navigatorPosition: 'BOTTOM_RIGHT', maxZoomPixelRatio: 4, visibilityRatio: 0.5, gestureSettingsMouse: { clickToZoom: false }
  });
  state.viewer = viewer;
  var slideItem = function () { return viewer.world.getItemAt(0); };
  viewer.addHandler('tile-loaded', function (e) {
    if (e.tiledImage === slideItem() && state.levelsLoaded.indexOf(e.tile.level) < 0) state.levelsLoaded.push(e.tile.level);
  });

  var overlayItem = null;
  var opacity = 0.6;
  function showLayer(name) {
    var l = info.layers.filter(function (x) { return x.name === name; })[0];
    viewer.addTiledImage({
      tileSource: { type: 'image', url: 'overlay/' + name + '.png', buildPyramid: false },
      x: 0, y: 0, width: l.width * l.scale / info.slide.width, opacity: opacity,
      success: function (e) {
        if (overlayItem) viewer.world.removeItem(overlayItem);
        overlayItem = e.item;
        state.overlayLayer = name;
        legend(name);
        if (state.shown !== null) describe(state.shown);
      }
    });
  }
  function legend(layer) {
    var ul = document.getElementById('legend');
    ul.textContent = '';
    if (layer === 'disagreement') {
      ul.appendChild(el('li', {}, [el('span', { class: 'swatch', style: 'background:' + rgb(info.disagreementColour) }), el('span', { text: 'student and teacher disagree (stronger: further apart)' })]));
      return;
    }
    pred.classes.forEach(function (c, i) {
      ul.appendChild(el('li', { 'data-class': c }, [el('span', { class: 'swatch', style: 'background:' + rgb(pred.colours[i]) }), el('span', { text: c })]));
    });
  }

  if (pred) {
    document.getElementById('controls').hidden = false;
    var layers = document.getElementById('layers');
    if (info.layers.length > 1) {
      layers.hidden = false;
      info.layers.forEach(function (l, i) {
        var input = el('input', { type: 'radio', name: 'layer', value: l.name });
        input.checked = i === 0;
        input.addEventListener('change', function () { showLayer(l.name); });
        layers.appendChild(el('label', {}, [input, document.createTextNode(' ' + l.name)]));
      });
    }
    document.getElementById('opacity').addEventListener('input', function (e) {
      opacity = Number(e.target.value) / 100;
      if (overlayItem) overlayItem.setOpacity(opacity);
    });
  }

  // The tile under a point of the slide (level-0 pixels): of the tiles covering it, the one whose centre is nearest.
  function tileAt(x, y) {
    var best = null, bestD = Infinity;
    pred.tiles.forEach(function (t, i) {
      if (x < t.x || y < t.y || x >= t.x + t.width || y >= t.y + t.height) return;
      var d = Math.pow(x - t.x - t.width / 2, 2) + Math.pow(y - t.y - t.height / 2, 2);
      if (d < bestD) { bestD = d; best = i; }
    });
    return best;
  }
  var box = el('div', { class: 'tile-box' });
  function describe(i) {
    var out = document.getElementById('tile-info');
    out.textContent = '';
    state.shown = i;
    if (i === null) { viewer.removeOverlay(box); out.removeAttribute('data-tile'); out.appendChild(el('p', { class: 'hint', text: 'Hover over a tile for its probabilities; click to pin it.' })); return; }
    var t = pred.tiles[i];
    var r = slideItem().imageToViewportRectangle(t.x, t.y, t.width, t.height);
    if (viewer.getOverlayById && viewer.getOverlayById(box)) viewer.updateOverlay(box, r); else viewer.addOverlay(box, r);
    out.setAttribute('data-tile', String(i));
    out.appendChild(el('p', { text: 'tile at (' + Math.round(t.x) + ', ' + Math.round(t.y) + '), ' + Math.round(t.width) + ' \\u00d7 ' + Math.round(t.height) + ' level-0 px' + (state.pinned !== null ? ' (pinned)' : '') }));
    var head = [el('th', { text: 'class' }), el('th', { text: 'student' })];
    if (pred.teacher) head.push(el('th', { text: 'teacher' }));
    var rows = [el('tr', {}, head)];
    var top = argmax(pred.student[i]);
    pred.classes.forEach(function (c, k) {
      var cells = [el('td', {}, [el('span', { class: 'swatch', style: 'display:inline-block;vertical-align:middle;margin-right:6px;background:' + rgb(pred.colours[k]) }), document.createTextNode(c)]),
        el('td', { class: 'p', 'data-source': 'student', 'data-class': c, 'data-p': String(pred.student[i][k]), text: pct(pred.student[i][k]) })];
      if (pred.teacher) cells.push(el('td', { class: 'p', 'data-source': 'teacher', 'data-class': c, 'data-p': String(pred.teacher[i][k]), text: pct(pred.teacher[i][k]) }));
      rows.push(el('tr', { class: k === top ? 'top' : '' }, cells));
    });
    out.appendChild(el('table', {}, rows));
    if (pred.teacher) {
      var same = argmax(pred.teacher[i]) === top;
      out.appendChild(el('p', { class: 'hint', text: same ? 'student and teacher agree' : 'student says ' + pred.classes[top] + ', teacher ' + pred.classes[argmax(pred.teacher[i])] }));
    }
  }
  function pointAt(ev) {
    var r = viewer.element.getBoundingClientRect();
    return slideItem().viewerElementToImageCoordinates(new OpenSeadragon.Point(ev.clientX - r.left, ev.clientY - r.top));
  }
  if (pred) {
    viewer.element.addEventListener('pointermove', function (ev) {
      if (state.pinned !== null || !slideItem()) return;
      var p = pointAt(ev);
      var i = tileAt(p.x, p.y);
      if (i !== state.shown) describe(i);
    }, true);
    viewer.addHandler('canvas-click', function (e) {
      if (!e.quick) return;
      var p = slideItem().viewerElementToImageCoordinates(e.position);
      var i = tileAt(p.x, p.y);
      state.pinned = state.pinned === null ? i : null;
      describe(state.pinned === null ? i : state.pinned);
    });
    describe(null);
  }
  // For scripts (and tests): where a level-0 point of the slide is on the page, and zooming to a level-0 point.
  state.pageOf = function (x, y) {
    var v = slideItem().imageToViewerElementCoordinates(new OpenSeadragon.Point(x, y));
    var r = viewer.element.getBoundingClientRect();
    return { x: r.left + v.x, y: r.top + v.y };
  };
  state.zoomToLevel0 = function (x, y) {
    var item = slideItem();
    viewer.viewport.zoomTo(item.imageToViewportZoom(1), null, true);
    viewer.viewport.panTo(item.imageToViewportCoordinates(x, y), true);
  };
  viewer.addHandler('open', function () {
    if (pred) showLayer('student');
    state.ready = true;
  });
})();
`;

export function viewerPage(): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>resdistill view</title>
<style>${STYLE}</style>
<script src="openseadragon/openseadragon.min.js"></script>
</head>
<body>
<header><h1 id="title">resdistill view</h1><p id="subtitle"></p></header>
<div id="synthetic-banner" hidden></div>
<main>
<div id="osd"></div>
<aside>
<div id="controls" hidden>
<h2>Overlay</h2>
<div id="layers" hidden></div>
<label for="opacity">opacity</label>
<input id="opacity" type="range" min="0" max="100" value="60">
<h2>Legend</h2>
<ul id="legend"></ul>
<p class="hint">Colour: the most probable class of the tiles under a point (their mean); stronger where the model is surer. No tint: no tissue tile.</p>
<h2>Tile</h2>
<div id="tile-info"></div>
</div>
</aside>
</main>
<script>${SCRIPT}</script>
</body>
</html>
`;
}
