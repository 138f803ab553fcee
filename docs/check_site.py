"""Check a built documentation site in headless Chromium: do the gallery's drawings show?

Usage::

    python -m sphinx -W --keep-going -b html docs site
    python docs/check_site.py site [--screenshots DIR]

It builds nothing.  It serves the site folder on 127.0.0.1 (a free port) and
opens it in headless Chromium twice over:

1. A probe page, served next to the site, loads every gallery page in turn
   in an iframe and reports each ``<img>`` of the page: its source, whether
   it loaded, its natural size and how much of it is ink once drawn onto a
   canvas.  Every page must list its SVG drawings (the three Graphviz styles
   and the plot; the shaft diagram too where the circuit is small enough),
   each from a file of the site, loaded and not blank.  A page built without
   Graphviz shows DOT source instead, and is reported as such.
2. A screenshot of each gallery page (a window 4000 pixels tall, so it
   reaches the drawings) must not be blank.

Exit status 0 when every page passes, 1 with a report of what failed.
Without Chromium it prints a note and exits 0, so CI can run it anywhere.
Set ``CHROMIUM`` to the browser's path if it is not on PATH.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
"""Executables tried, in order, after the ``CHROMIUM`` environment variable."""

FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
    "--hide-scrollbars",
)
"""Chromium flags: headless, no network of its own, no first-run chores."""

STYLES = ("gpac", "electronic", "compiled")
"""The Graphviz drawings each gallery page shows (see docs/gallery_gen.py)."""

NO_DOT = "program was not found when this page was built"
"""What a page built without Graphviz says (as text) instead of showing drawings."""

MIN_INK = 0.002
"""The smallest fraction of non-white pixels an image or a screenshot may have."""

PROBE = "/__check_site_probe__.html"

PROBE_HTML = """<!doctype html>
<html><head><meta charset="utf-8"><title>probe</title></head>
<body><pre id="result">pending</pre>
<iframe id="frame" width="1200" height="900"></iframe>
<script>
const pages = %(pages)s;
function ink(img) {
  const w = Math.min(img.naturalWidth, 1600), h = Math.min(img.naturalHeight, 1600);
  if (!w || !h) return 0;
  const canvas = document.createElement("canvas");
  canvas.width = w; canvas.height = h;
  const ctx = canvas.getContext("2d");
  ctx.fillStyle = "#fff"; ctx.fillRect(0, 0, w, h);
  try { ctx.drawImage(img, 0, 0, w, h); } catch (e) { return -1; }
  const data = ctx.getImageData(0, 0, w, h).data;
  let dark = 0;
  for (let i = 0; i < data.length; i += 4) {
    if (data[i] + data[i + 1] + data[i + 2] < 600) dark++;
  }
  return dark / (w * h);
}
function settle(img) {
  if (img.complete) return Promise.resolve();
  return new Promise(r => { img.onload = img.onerror = () => r(); });
}
async function visit(page) {
  const frame = document.getElementById("frame");
  await new Promise(r => { frame.onload = r; frame.src = page; });
  const doc = frame.contentDocument;
  const imgs = Array.from(doc.images);
  await Promise.all(imgs.map(settle));
  return {
    page: page,
    title: doc.title,
    noDot: doc.body.textContent.includes(%(no_dot)s),
    images: imgs.map(img => ({
      src: img.getAttribute("src"), url: img.src, complete: img.complete,
      width: img.naturalWidth, height: img.naturalHeight, ink: ink(img),
    })),
  };
}
(async () => {
  const out = [];
  for (const page of pages) {
    try { out.push(await visit(page)); }
    catch (e) { out.push({page: page, error: String(e)}); }
  }
  document.getElementById("result").textContent = JSON.stringify(out);
})();
</script></body></html>
"""


def find_browser() -> str | None:
    """The Chromium executable: ``$CHROMIUM``, else the first of BROWSERS on PATH."""
    candidates = [os.environ.get("CHROMIUM", ""), *BROWSERS]
    for name in filter(None, candidates):
        path = shutil.which(name)
        if path:
            return path
    return None


def gallery_pages(site: Path) -> list[str]:
    """The gallery pages of a built site, as paths relative to it.

    Examples
    --------
    >>> site = Path(tempfile.mkdtemp())
    >>> for name in ("b", "a"):
    ...     (site / "gallery" / name).mkdir(parents=True)
    ...     _ = (site / "gallery" / name / "index.html").write_text("<html></html>")
    >>> gallery_pages(site)
    ['gallery/a/index.html', 'gallery/b/index.html']
    """
    return sorted(
        p.relative_to(site).as_posix() for p in site.glob("gallery/*/index.html")
    )


def expected_images(name: str, drawings: bool) -> list[str]:
    """Stems of the SVG files a gallery page must show (shaft diagram optional).

    Examples
    --------
    >>> expected_images("bessel", True)
    ['bessel-gpac', 'bessel-electronic', 'bessel-compiled', 'bessel-plot']
    >>> expected_images("bessel", False)
    ['bessel-plot']
    """
    return [f"{name}-{style}" for style in STYLES if drawings] + [f"{name}-plot"]


def check_page(site: Path, report: dict[str, Any]) -> list[str]:
    """Problems with one gallery page, from the probe's report on it.

    Examples
    --------
    >>> site = Path(tempfile.mkdtemp())
    >>> for problem in check_page(
    ...     site, {"page": "/gallery/x/index.html", "noDot": True, "images": []}
    ... ):
    ...     print(problem)
    /gallery/x/index.html: built without Graphviz: it shows DOT source instead of its drawings; install Graphviz and rebuild
    /gallery/x/index.html: no image x-plot.svg in the DOM
    """
    page = report["page"]
    if "error" in report:
        return [f"{page}: could not be inspected: {report['error']}"]
    name = page.rstrip("/").split("/")[-2]
    problems = []
    shown = {}
    for image in report["images"]:
        path = unquote(urlsplit(image["url"]).path).lstrip("/")
        file = site / path
        stem = Path(path).stem
        shown[stem] = image
        where = f"{page}: image {image['src']}"
        if not file.is_file():
            problems.append(f"{where}: no such file {file}")
        elif not image["complete"] or not image["width"] or not image["height"]:
            problems.append(f"{where}: did not load in the browser")
        elif image["ink"] < MIN_INK:
            problems.append(f"{where}: blank (ink {image['ink']:.4f})")
    if report["noDot"]:
        problems.append(
            f"{page}: built without Graphviz: it shows DOT source instead of its "
            "drawings; install Graphviz and rebuild"
        )
    for stem in expected_images(name, not report["noDot"]):
        image = shown.get(stem)
        if image is None:
            problems.append(f"{page}: no image {stem}.svg in the DOM")
        elif not image["src"].endswith(".svg"):
            problems.append(f"{page}: {image['src']} is not an SVG file")
    return problems


def ink_fraction(png: Path) -> float:
    """The fraction of pixels of a PNG that are not near-white."""
    from matplotlib.image import imread

    pixels = imread(png)[..., :3]  # floats in [0, 1]
    return float((pixels.sum(axis=-1) < 600 / 255).mean())


class _Handler(SimpleHTTPRequestHandler):
    """Serves the site, plus the probe page; logs nothing."""

    probe = b""

    def do_GET(self) -> None:
        if self.path.split("?")[0] == PROBE:
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(self.probe)))
            self.end_headers()
            self.wfile.write(self.probe)
            return
        super().do_GET()

    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def serve(site: Path, probe: bytes) -> Iterator[str]:
    """Serve ``site`` on 127.0.0.1 at a free port; yield the base URL."""
    handler = type("Handler", (_Handler,), {"probe": probe})
    server = ThreadingHTTPServer(
        ("127.0.0.1", 0), partial(handler, directory=str(site))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def chromium(browser: str, profile: Path, *args: str, timeout: float = 120.0) -> str:
    """Run headless Chromium with a throw-away profile; return its stdout."""
    command = [browser, *FLAGS, f"--user-data-dir={profile}", *args]
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=timeout, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(
            f"{' '.join(command)} failed ({done.returncode}): {done.stderr[-2000:]}"
        )
    return done.stdout


def probe_results(dom: str) -> list[dict[str, Any]]:
    """The probe's JSON report, read from the DOM Chromium dumped.

    Examples
    --------
    >>> probe_results('<pre id="result">[{"page": "/a"}]</pre>')
    [{'page': '/a'}]
    >>> probe_results('<pre id="result">pending</pre>')
    Traceback (most recent call last):
    ...
    RuntimeError: the probe page did not finish: pending
    """
    import html

    start = dom.index('<pre id="result">') + len('<pre id="result">')
    text = html.unescape(dom[start : dom.index("</pre>", start)])
    if not text.startswith("["):
        raise RuntimeError(f"the probe page did not finish: {text[:200]}")
    return json.loads(text)


def check_site(site: Path, browser: str, shots: Path) -> list[str]:
    """Every problem found on the gallery pages of ``site`` (empty: all good)."""
    pages = gallery_pages(site)
    if not pages:
        return [f"{site}: no gallery pages (gallery/*/index.html); is it a built site?"]
    urls = ["/" + page for page in pages]
    probe = PROBE_HTML % {"pages": json.dumps(urls), "no_dot": json.dumps(NO_DOT)}
    problems = []
    with tempfile.TemporaryDirectory() as profile, serve(site, probe.encode()) as base:
        dom = chromium(
            browser, Path(profile), "--virtual-time-budget=60000",
            "--dump-dom", base + PROBE,
        )  # fmt: skip
        reports = probe_results(dom)
        for report in reports:
            problems += check_page(site, report)
            count = len(report.get("images", []))
            print(f"{report['page']}: {count} images", file=sys.stderr)
        for page in pages:
            png = shots / (page.split("/")[-2] + ".png")
            chromium(
                browser, Path(profile), "--window-size=1280,4000",
                "--virtual-time-budget=10000", f"--screenshot={png}", f"{base}/{page}",
            )  # fmt: skip
            ink = ink_fraction(png) if png.is_file() else 0.0
            if ink < MIN_INK:
                problems.append(
                    f"/{page}: the screenshot {png} is blank (ink {ink:.4f})"
                )
    return problems


def main(argv: Sequence[str] | None = None) -> int:
    """Check the site; print a report; 0 if all is well (or no Chromium), else 1."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "site", type=Path, help="the built HTML site (Sphinx's output folder)"
    )
    parser.add_argument(
        "--screenshots", type=Path, help="keep the page screenshots in this folder"
    )
    args = parser.parse_args(argv)
    browser = find_browser()
    if browser is None:
        print("check_site: Chromium not found; skipping the browser check "
              "(install it, e.g. apt-get install chromium, or set CHROMIUM)")  # fmt: skip
        return 0
    if not args.site.is_dir():
        print(f"check_site: {args.site} is not a folder; build the site first")
        return 1
    site = args.site.resolve()
    with tempfile.TemporaryDirectory() as scratch:
        shots = args.screenshots or Path(scratch)
        shots.mkdir(parents=True, exist_ok=True)
        try:
            problems = check_site(site, browser, shots)
        except (RuntimeError, subprocess.TimeoutExpired) as failure:
            problems = [f"the browser check could not run: {failure}"]
        pages = len(gallery_pages(site))
    if problems:
        print(f"check_site: {len(problems)} problems on {pages} gallery pages:")
        for problem in problems:
            print("  " + problem)
        return 1
    print(f"check_site: {pages} gallery pages show their SVG drawings")
    return 0


if __name__ == "__main__":
    sys.exit(main())
