"""Sphinx configuration of the skt documentation."""

import os
import sys

sys.path.insert(0, os.path.abspath(".."))

import skt  # noqa: E402

project = "skt"
author = "skt developers"
copyright = "2026, skt developers"
release = skt.__version__
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.intersphinx",
    "sphinx.ext.mathjax",
    "numpydoc",
    "matplotlib.sphinxext.plot_directive",
    "sphinx_gallery.gen_gallery",
]

# the example gallery: examples/gallery/plot_*.py are run at build time (each a few seconds, on
# embedded or synthetic data) and rendered with their figures into auto_examples/
sphinx_gallery_conf = {
    "examples_dirs": "../examples/gallery",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "download_all_examples": False,
    "remove_config_comments": True,
    "matplotlib_animations": False,
    "image_scrapers": ("matplotlib",),
    "within_subsection_order": "FileNameSortKey",
}

autosummary_generate = True
autodoc_default_options = {"inherited-members": False}
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False

plot_include_source = False
plot_html_show_source_link = False
plot_html_show_formats = False
plot_formats = [("png", 100)]

intersphinx_mapping = {
    "python": ("https://docs.python.org/3", None),
    "numpy": ("https://numpy.org/doc/stable", None),
    "sklearn": ("https://scikit-learn.org/stable", None),
}
# no network here or in CI: intersphinx inventories cannot be fetched, so do not try
intersphinx_disabled_reftypes = ["*"]
intersphinx_timeout = 1
if os.environ.get("SKT_DOCS_OFFLINE", "1") == "1":
    intersphinx_mapping = {}

templates_path = ["_templates"]
exclude_patterns = ["_build", "**/plot_*.py", "auto_examples/*.ipynb", "auto_examples/*.py"]
html_theme = "pydata_sphinx_theme"
html_static_path = ["_static"]
html_title = "skt"
