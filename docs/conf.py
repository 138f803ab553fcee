"""Sphinx configuration of the analyzer documentation site.

Build the site (warnings are errors) with::

    python -m pip install -e ".[docs]"
    python -m sphinx -W --keep-going -b html docs docs/_build/html

The pages are the Markdown files of this folder, read by MyST, and they stay
plain Markdown that reads well on GitHub and runs as doctests under pytest.
The gallery (``docs/gallery/``) is not kept in the repository: a
``builder-inited`` hook writes it from ``circuits.CATALOG`` with
``docs/gallery_gen.py`` before Sphinx reads the sources; a second hook draws
the figures of the history pages into ``docs/history/figures/`` (also not
kept) with ``docs/history_figures.py``.  Importing this file
has no side effects (pytest imports it to collect doctests), and it needs
neither Sphinx nor the theme to import.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent

project = "analyzer"
author = "the analyzer authors"
copyright = "the analyzer authors"
version = release = "0.1.0"

extensions = ["myst_parser", "sphinx.ext.autodoc", "sphinx.ext.napoleon"]
source_suffix = {".md": "markdown"}
root_doc = "index"

# _build: a build inside docs/; README.md: notes for the folder, not a page.
exclude_patterns = ["_build", "**/.ipynb_checkpoints", "README.md"]

# The pages write links between pages as relative .md paths with GitHub-style
# heading anchors (blocks.md#integrator); MyST resolves them down to level 3.
myst_heading_anchors = 3
myst_enable_extensions = ["dollarmath", "colon_fence"]

# The history pages show the API they use; docstrings are numpydoc.
napoleon_google_docstring = False
autodoc_typehints = "none"

html_title = "analyzer"
html_theme = "furo" if importlib.util.find_spec("furo") else "alabaster"
html_static_path = ["_static"]
html_css_files = ["gallery.css"]
html_last_updated_fmt = None
html_show_sourcelink = False
html_copy_source = False


# What the site generates before Sphinx reads the sources: a module of this
# folder, and the folder (under the sources) its generate() writes into.
GENERATED = (("gallery_gen", "gallery"), ("history_figures", "history/figures"))


def _generate(app: Any) -> None:
    """builder-inited: write the gallery and the history figures before reading."""
    from sphinx.util import logging

    if str(ROOT) not in sys.path:  # circuits/ when the project is not installed
        sys.path.insert(0, str(ROOT))
    for name, folder in GENERATED:
        spec = importlib.util.spec_from_file_location(name, DOCS / f"{name}.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        written = module.generate(Path(app.srcdir) / folder)
        logging.getLogger(__name__).info("%s: %d files written", folder, len(written))


def setup(app: Any) -> dict[str, Any]:
    app.connect("builder-inited", _generate)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
