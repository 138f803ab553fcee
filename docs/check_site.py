"""Check a built documentation site: every page, in headless Chromium.

Usage::

    python -m sphinx -W --keep-going -b html docs site
    python docs/check_site.py site [--screenshots DIR]

It builds nothing.  It reads every HTML page of the site for its internal
links, then serves the site on 127.0.0.1 (a free port) and opens every page
in one headless Chromium, driven over the DevTools protocol on a pipe
(``--remote-debugging-pipe``).  A page fails when

- a link, stylesheet or script of the site points to a file that is not
  there, or to an ``#anchor`` its target page does not have;
- an ``<img>`` does not load, or loads blank;
- the browser reports a console error, an uncaught exception, or a request
  to the site that failed;
- it is a gallery page without its SVG drawings (the three Graphviz styles
  and the plot), or one built without Graphviz (it shows DOT source).

Requests to other hosts (MathJax from a CDN) are blocked, so the check needs
no network; they are listed as notes, not failures.  Screenshots of four
pages (the gallery index, one gallery page, one history page, the tutorial)
go to DIR, by default ``_screenshots/`` in the site, and must not be blank.

Exit status 0 when every page passes, 1 with a report naming each page and
what failed.  Without Chromium it prints a note and exits 0 on a local
machine, but 1 under ``CI=true``: a check that cannot run proves nothing.
Set ``CHROMIUM`` to the browser's path if it is not on PATH.
"""

from __future__ import annotations

import argparse
import base64
import fcntl
import json
import os
import select
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import partial
from html.parser import HTMLParser
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import unquote, urljoin, urlsplit

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
"""Executables tried, in order, after the ``CHROMIUM`` environment variable."""

FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--hide-scrollbars",
    # Only the site's own server resolves: other hosts fail fast, offline or not.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
)
"""Chromium flags: headless, no network of its own, no first-run chores."""

STYLES = ("gpac", "electronic", "compiled")
"""The Graphviz drawings each gallery page shows (see docs/gallery_gen.py)."""

NO_DOT = "program was not found when this page was built"
"""What a page built without Graphviz says (as text) instead of showing drawings."""

MIN_INK = 0.002
"""The smallest fraction of non-white pixels an image or a screenshot may have."""

SCREENSHOTS = {
    "gallery-index": "gallery/index.html",
    "gallery-bessel": "gallery/bessel/index.html",
    "history-bush": "history/bush.html",
    "tutorial": "tutorial.html",
}
"""The pages photographed, by the name of their PNG file."""

PAGE_TIMEOUT = 30.0
"""Seconds a page may take to load in the browser."""

INSPECT = """(async () => {
  const ink = img => {
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
  };
  const imgs = Array.from(document.images);
  imgs.forEach(img => { img.loading = "eager"; });
  await Promise.all(imgs.map(img => img.complete ? null :
    new Promise(r => { img.onload = img.onerror = r; })));
  await new Promise(r => setTimeout(r, 50));
  return {
    noDot: document.body.textContent.includes(NO_DOT),
    images: imgs.map(img => ({
      src: img.getAttribute("src"), url: img.currentSrc || img.src,
      complete: img.complete, width: img.naturalWidth,
      height: img.naturalHeight, ink: ink(img),
    })),
  };
})()""".replace("NO_DOT", json.dumps(NO_DOT))
"""Run in each page once it has loaded: its images, and whether Graphviz was there."""


def in_ci() -> bool:
    """Whether this runs in CI (``CI=true``), where a missing tool is a failure."""
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


def find_browser() -> str | None:
    """The Chromium executable: ``$CHROMIUM``, else the first of BROWSERS on PATH."""
    candidates = [os.environ.get("CHROMIUM", ""), *BROWSERS]
    for name in filter(None, candidates):
        path = shutil.which(name)
        if path:
            return path
    return None


def site_pages(site: Path) -> list[str]:
    """Every HTML page of a built site, relative to it (``_static`` and such left out).

    Examples
    --------
    >>> site = Path(tempfile.mkdtemp())
    >>> for name in ("b/index.html", "a.html", "_static/x.html"):
    ...     (site / name).parent.mkdir(parents=True, exist_ok=True)
    ...     _ = (site / name).write_text("<html></html>")
    >>> site_pages(site)
    ['a.html', 'b/index.html']
    """
    return sorted(
        p.relative_to(site).as_posix()
        for p in site.rglob("*.html")
        if not p.relative_to(site).parts[0].startswith(("_", "."))
    )


def gallery_name(page: str) -> str | None:
    """The circuit a gallery page shows (None for other pages, the index included).

    Examples
    --------
    >>> gallery_name("gallery/bessel/index.html"), gallery_name("gallery/index.html")
    ('bessel', None)
    """
    parts = page.split("/")
    return parts[1] if len(parts) == 3 and parts[0] == "gallery" else None


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


class _Parsed(HTMLParser):
    """The anchors (``id``, ``<a name>``) and the outgoing links of one page."""

    TAGS: ClassVar[dict[str, str]] = {"a": "href", "link": "href", "img": "src", "script": "src",
            "iframe": "src", "source": "src"}  # fmt: skip

    def __init__(self, text: str) -> None:
        super().__init__()
        self.anchors: set[str] = set()
        self.links: list[str] = []
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {key: value for key, value in attrs if value is not None}
        self.anchors.update(values[k] for k in ("id", "name") if k in values)
        link = values.get(self.TAGS.get(tag, ""), "").strip()
        if link:
            self.links.append(link)


def broken_links(site: Path, pages: Sequence[str]) -> list[str]:
    """Links of ``pages`` to a missing file of the site, or to a missing #anchor.

    Links to other hosts, ``mailto:`` and the like are not checked.

    Examples
    --------
    >>> site = Path(tempfile.mkdtemp())
    >>> _ = (site / "a.html").write_text('<h1 id="top">A</h1><a href="b.html#x">b</a>'
    ...     '<a href="#top">up</a><img src="gone.svg"><a href="https://e.org/">e</a>')
    >>> _ = (site / "b.html").write_text('<a href="a.html#top">a</a>')
    >>> for problem in broken_links(site, ["a.html", "b.html"]):
    ...     print(problem)
    /a.html: link b.html#x: b.html has no anchor #x
    /a.html: link gone.svg: no such file gone.svg
    """
    parsed: dict[Path, _Parsed] = {}

    def read(file: Path) -> _Parsed:
        if file not in parsed:
            parsed[file] = _Parsed(file.read_text(encoding="utf-8", errors="replace"))
        return parsed[file]

    problems = []
    for page in pages:
        for link in read(site / page).links:
            url = urlsplit(urljoin(f"http://site/{page}", link))
            if url.scheme != "http" or url.netloc != "site":
                continue
            path = unquote(url.path).lstrip("/")
            file = site / path
            if not path or file.is_dir():
                file, path = file / "index.html", (Path(path) / "index.html").as_posix()
            if not file.is_file():
                problems.append(f"/{page}: link {link}: no such file {path}")
            elif (
                url.fragment
                and file.suffix == ".html"
                and unquote(url.fragment) not in read(file).anchors
            ):
                problems.append(
                    f"/{page}: link {link}: {path} has no anchor #{url.fragment}"
                )
    return problems


def check_images(site: Path, page: str, report: dict[str, Any]) -> list[str]:
    """Problems with the images of one page, from what the browser saw of them.

    Examples
    --------
    >>> site = Path(tempfile.mkdtemp())
    >>> for problem in check_images(
    ...     site, "gallery/x/index.html", {"noDot": True, "images": []}
    ... ):
    ...     print(problem)
    /gallery/x/index.html: built without Graphviz: it shows DOT source instead of its drawings; install Graphviz and rebuild
    /gallery/x/index.html: no image x-plot.svg in the DOM
    """
    problems = []
    shown = {}
    for image in report["images"]:
        url = urlsplit(image["url"])
        if url.scheme in ("http", "https") and url.hostname != "127.0.0.1":
            continue  # another host: blocked, and listed among the notes
        path = unquote(url.path).lstrip("/")
        stem = Path(path).stem
        shown[stem] = image
        where = f"/{page}: image {image['src']}"
        if url.scheme != "data" and not (site / path).is_file():
            problems.append(f"{where}: no such file {path}")
        elif not image["complete"] or not image["width"] or not image["height"]:
            problems.append(f"{where}: did not load in the browser")
        elif image["ink"] < MIN_INK:
            problems.append(f"{where}: blank (ink {image['ink']:.4f})")
    name = gallery_name(page)
    if name is None:
        return problems
    if report["noDot"]:
        problems.append(
            f"/{page}: built without Graphviz: it shows DOT source instead of its "
            "drawings; install Graphviz and rebuild"
        )
    for stem in expected_images(name, not report["noDot"]):
        image = shown.get(stem)
        if image is None:
            problems.append(f"/{page}: no image {stem}.svg in the DOM")
        elif not image["src"].endswith(".svg"):
            problems.append(f"/{page}: {image['src']} is not an SVG file")
    return problems


def console_errors(events: Sequence[dict[str, Any]], base: str) -> tuple[list, list]:
    """The errors among a page's DevTools events, and the notes (other hosts).

    Examples
    --------
    >>> errors, notes = console_errors([
    ...     {"method": "Runtime.exceptionThrown", "params": {"exceptionDetails":
    ...         {"text": "Uncaught", "exception": {"description": "Error: boom"}}}},
    ...     {"method": "Log.entryAdded", "params": {"entry": {"level": "error",
    ...         "text": "Failed to load resource", "url": "https://cdn.x/m.js"}}},
    ... ], "http://127.0.0.1:8000")
    >>> errors, notes
    (['uncaught exception: Error: boom'], ['not loaded (another host): https://cdn.x/m.js'])
    """
    errors, notes = [], []
    for event in events:
        method, params = event.get("method"), event.get("params", {})
        if method == "Runtime.exceptionThrown":
            details = params["exceptionDetails"]
            text = details.get("exception", {}).get("description") or details["text"]
            errors.append(f"uncaught exception: {text.splitlines()[0]}")
        elif method == "Runtime.consoleAPICalled" and params["type"] in (
            "error",
            "assert",
        ):
            args = params.get("args", [])
            text = " ".join(str(a.get("value", a.get("description", ""))) for a in args)
            errors.append(f"console.{params['type']}: {text}")
        elif method == "Log.entryAdded" and params["entry"]["level"] == "error":
            entry = params["entry"]
            url = entry.get("url", "")
            if url.startswith(("http://", "https://")) and not url.startswith(base):
                notes.append(f"not loaded (another host): {url}")
            else:
                errors.append(f"console error: {entry['text']} {url}".rstrip())
    return errors, notes


class Browser:
    """Headless Chromium, driven over the DevTools protocol on fds 3 and 4."""

    def __init__(self, executable: str, profile: Path) -> None:
        # Pipe ends at 10 or above, so moving them onto 3 and 4 cannot clobber them.
        ends = [fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10) for fd in (*os.pipe(), *os.pipe())]  # fmt: skip
        to_browser, self._write, self._read, from_browser = ends

        def pipes() -> None:  # in the child, before exec
            os.dup2(to_browser, 3)
            os.dup2(from_browser, 4)

        command = [executable, *FLAGS, "--remote-debugging-pipe",
                   f"--user-data-dir={profile}", "about:blank"]  # fmt: skip
        self.process = subprocess.Popen(
            command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, preexec_fn=pipes, close_fds=False,
        )  # fmt: skip
        os.close(to_browser)
        os.close(from_browser)
        self._buffer = b""
        self._id = 0
        self.events: list[dict[str, Any]] = []

    def _message(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._read], [], [], left)[0]:
                raise TimeoutError("Chromium did not answer in time")
            chunk = os.read(self._read, 1 << 20)
            if not chunk:
                raise RuntimeError(f"Chromium exited ({self.process.poll()})")
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)

    def send(self, method: str, session: str | None = None, **params: Any) -> Any:
        """Call a DevTools method; return its result (events seen are kept)."""
        self._id += 1
        message = {"id": self._id, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        data = json.dumps(message).encode() + b"\0"
        while data:
            data = data[os.write(self._write, data) :]
        deadline = time.monotonic() + PAGE_TIMEOUT
        while True:
            reply = self._message(deadline)
            if reply.get("id") != self._id:
                self.events.append(reply)
            elif "error" in reply:
                raise RuntimeError(f"{method}: {reply['error'].get('message')}")
            else:
                return reply.get("result", {})

    def wait(self, method: str, timeout: float = PAGE_TIMEOUT) -> None:
        """Wait for an event ``method`` (kept among the events)."""
        deadline = time.monotonic() + timeout
        while not any(e.get("method") == method for e in self.events):
            self.events.append(self._message(deadline))

    def close(self) -> None:
        for fd in (self._write, self._read):
            os.close(fd)
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


class _Handler(SimpleHTTPRequestHandler):
    """Serves the site; logs nothing; answers the browser's own favicon request."""

    def do_GET(self) -> None:
        no_icon = not Path(self.directory, "favicon.ico").exists()
        if self.path == "/favicon.ico" and no_icon:
            self.send_response(204)  # asked for by Chromium, not by a page
            self.end_headers()
            return
        super().do_GET()

    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def serve(site: Path) -> Iterator[str]:
    """Serve ``site`` on 127.0.0.1 at a free port; yield the base URL."""
    server = ThreadingHTTPServer(
        ("127.0.0.1", 0), partial(_Handler, directory=str(site))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def ink_fraction(png: Path) -> float:
    """The fraction of pixels of a PNG that are not near-white."""
    from matplotlib.image import imread

    pixels = imread(png)[..., :3]  # floats in [0, 1]
    return float((pixels.sum(axis=-1) < 600 / 255).mean())


def screenshot(browser: Browser, session: str, png: Path) -> None:
    """Save the whole page (up to 6000 pixels down) as a PNG."""
    size = browser.send("Page.getLayoutMetrics", session)["cssContentSize"]
    clip = {"x": 0, "y": 0, "width": 1280, "height": min(size["height"], 6000),
            "scale": 1}  # fmt: skip
    shot = browser.send("Page.captureScreenshot", session, format="png",
                        captureBeyondViewport=True, clip=clip)  # fmt: skip
    png.write_bytes(base64.b64decode(shot["data"]))


def check_site(
    site: Path, browser: str, shots: Path, photographed: dict[str, str] = SCREENSHOTS
) -> tuple[list[str], list[str]]:
    """Every problem found on the pages of ``site`` (empty: all good), and notes."""
    pages = site_pages(site)
    if not pages:
        return [f"{site}: no HTML pages; is it a built site?"], []
    problems = broken_links(site, pages)
    notes: set[str] = set()
    for name, page in photographed.items():
        if page not in pages:
            problems.append(f"/{page}: no such page, for the screenshot {name}.png")
    with tempfile.TemporaryDirectory() as profile, serve(site) as base:
        chromium = Browser(browser, Path(profile))
        try:
            target = chromium.send("Target.createTarget", url="about:blank")
            session = chromium.send("Target.attachToTarget", flatten=True, **target)
            session = session["sessionId"]
            for domain in ("Page", "Runtime", "Log"):
                chromium.send(f"{domain}.enable", session)
            chromium.send("Emulation.setDeviceMetricsOverride", session, width=1280,
                          height=900, deviceScaleFactor=1, mobile=False)  # fmt: skip
            for page in pages:
                chromium.events.clear()
                chromium.send("Page.navigate", session, url=f"{base}/{page}")
                chromium.wait("Page.loadEventFired")
                report = chromium.send("Runtime.evaluate", session, expression=INSPECT,
                                       awaitPromise=True, returnByValue=True)  # fmt: skip
                if "exceptionDetails" in report:
                    problems.append(f"/{page}: could not be inspected: {report}")
                    continue
                problems += check_images(site, page, report["result"]["value"])
                errors, seen = console_errors(chromium.events, base)
                problems += [f"/{page}: {error}" for error in errors]
                notes.update(f"/{page}: {note}" for note in seen)
                for name in (n for n, p in photographed.items() if p == page):
                    png = shots / f"{name}.png"
                    screenshot(chromium, session, png)
                    if ink_fraction(png) < MIN_INK:
                        problems.append(f"/{page}: the screenshot {png} is blank")
        finally:
            chromium.close()
    return problems, sorted(notes)


def main(argv: Sequence[str] | None = None) -> int:
    """Check the site; print a report; 0 if all is well, else 1."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "site", type=Path, help="the built HTML site (Sphinx's output folder)"
    )
    parser.add_argument(
        "--screenshots", type=Path, help="where to save the screenshots "
        "(default: _screenshots/ in the site)"
    )  # fmt: skip
    args = parser.parse_args(argv)
    browser = find_browser()
    if browser is None:
        missing = ("Chromium not found (install it, e.g. apt-get install chromium, "
                   "or set CHROMIUM to its path)")  # fmt: skip
        if in_ci():
            print(f"check_site: FAILED: {missing}; CI=true, so the check may not skip")
            return 1
        print(f"check_site: {missing}; skipping the browser check")
        return 0
    if not args.site.is_dir():
        print(f"check_site: {args.site} is not a folder; build the site first")
        return 1
    site = args.site.resolve()
    shots = args.screenshots or site / "_screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    start = time.monotonic()
    try:
        problems, notes = check_site(site, browser, shots)
    except (RuntimeError, TimeoutError, OSError, KeyError) as failure:
        problems, notes = [f"the browser check could not run: {failure!r}"], []
    pages = len(site_pages(site))
    for note in notes:
        print(f"check_site: note: {note}")
    if problems:
        print(f"check_site: {len(problems)} problems on {pages} pages:")
        for problem in problems:
            print("  " + problem)
        return 1
    print(f"check_site: {pages} pages load in Chromium with no broken image, link "
          f"or console error ({time.monotonic() - start:.0f} s); "
          f"screenshots in {shots}")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
