"""The emulator's catalog: seeded titles and people, their documents and resources.

`data.build_catalog` builds the read-only `Catalog` one instance serves; `render` turns titles
into `catalog_title` trees (reused by the subscriber resources); `routes` serves the catalog
resources; `index` streams the full-catalog download.
"""
