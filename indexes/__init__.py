"""Search indexes for the knowledge base: FAISS vectors, BM25 keywords and their fusion (no app or DB imports)."""
