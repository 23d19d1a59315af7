"""Document ingestion: parsers, chunking and embedders. A plain library: never imports `app`."""
