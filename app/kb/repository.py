from collections.abc import Collection

from sqlalchemy import delete, insert
from sqlmodel import col, func, select

from app.kb.models import Chunk, Document, DocumentFile
from app.repository import AccountScopedRepository, in_batches


class DocumentRepository(AccountScopedRepository[Document]):
    model = Document
    not_found_detail = "Document not found"

    def by_hash(self, content_hash: str) -> Document | None:
        return self.session.exec(self.select().where(Document.content_hash == content_hash)).first()

    def page(self, *, status: str | None, tag: str | None, limit: int, offset: int) -> tuple[list[Document], int]:
        statement = self.select()
        if status:
            statement = statement.where(Document.status == status)
        statement = statement.order_by(col(Document.created_at).desc(), Document.id)
        if not tag:
            total = self.session.exec(select(func.count()).select_from(statement.subquery())).one()
            return list(self.session.exec(statement.limit(limit).offset(offset))), int(total)
        # Tags are a JSON list; filtering in Python keeps one query for SQLite and PostgreSQL.
        rows = [row for row in self.session.exec(statement) if tag in row.tags]
        return rows[offset:offset + limit], len(rows)

    def file_bytes(self, document: Document) -> bytes | None:
        stored = self.session.get(DocumentFile, document.id)
        return stored.data if stored else None


class ChunkRepository(AccountScopedRepository[Chunk]):
    model = Chunk
    not_found_detail = "Chunk not found"

    def of_document(self, document_id: str) -> list[Chunk]:
        return list(self.session.exec(self.select().where(Chunk.document_id == document_id).order_by(Chunk.ordinal)))

    def ids_of_document(self, document_id: str) -> list[int]:
        return list(self.session.exec(select(Chunk.id).where(Chunk.account_id == self.account_id,
                                                             Chunk.document_id == document_id)))

    def delete_of_document(self, document_id: str) -> None:
        """One DELETE for all of a document's chunks; none is loaded (a large document has thousands)."""
        self.session.execute(delete(Chunk).where(Chunk.account_id == self.account_id,
                                                 Chunk.document_id == document_id))

    def insert_rows(self, rows: list[dict]) -> list[int]:
        """Insert chunks given as column dicts (no ORM objects) and return their ids, in order."""
        if any(row["account_id"] != self.account_id for row in rows):
            raise ValueError("row belongs to another account")
        statement = insert(Chunk).returning(Chunk.id, sort_by_parameter_order=True)
        return list(self.session.scalars(statement, rows)) if rows else []

    def by_ids(self, ids: list[int]) -> dict[int, Chunk]:
        if not ids:
            return {}
        return {c.id: c for c in self.session.exec(self.select().where(col(Chunk.id).in_(ids)))}

    def vectors_by_hash(self, hashes: list[str], model: str) -> dict[str, bytes]:
        """Stored vectors for these content hashes, so unchanged text is never embedded again."""
        found: dict[str, bytes] = {}
        for batch in in_batches(list(dict.fromkeys(hashes))):
            statement = (select(Chunk.content_hash, Chunk.embedding)
                         .where(Chunk.account_id == self.account_id, col(Chunk.content_hash).in_(batch),
                                Chunk.embedding_model == model))
            found.update(self.session.exec(statement).all())
        return found

    def known_by_hash(self, hashes: list[str], model: str) -> dict[str, tuple[bytes, list | None, bytes | None]]:
        """Stored vector, units and unit vectors for these content hashes, so unchanged text is never embedded
        again (units are None for chunks stored before they were kept)."""
        found: dict[str, tuple[bytes, list | None, bytes | None]] = {}
        for batch in in_batches(list(dict.fromkeys(hashes))):
            statement = (select(Chunk.content_hash, Chunk.embedding, Chunk.units, Chunk.unit_vectors)
                         .where(Chunk.account_id == self.account_id, col(Chunk.content_hash).in_(batch),
                                Chunk.embedding_model == model))
            for key, embedding, units, unit_vectors in self.session.exec(statement).all():
                if key not in found or (units is not None and found[key][1] is None):
                    found[key] = (embedding, units, unit_vectors)
        return found

    def units_of(self, ids: list[int]) -> dict[int, tuple[list | None, bytes | None]]:
        """The stored quotable units and their vectors of these chunks."""
        if not ids:
            return {}
        statement = select(Chunk.id, Chunk.units, Chunk.unit_vectors).where(Chunk.account_id == self.account_id,
                                                                           col(Chunk.id).in_(ids))
        return {chunk_id: (units, vectors) for chunk_id, units, vectors in self.session.exec(statement).all()}

    def _indexable(self, *columns):
        return (select(*columns).join(Document, Document.id == Chunk.document_id)
                .where(Chunk.account_id == self.account_id, Chunk.enabled, Document.status == "ready"))

    def opening_texts(self, documents: int) -> list[str]:
        """The first chunk of each of the latest few searchable documents: enough to tell their languages."""
        statement = self._indexable(Chunk.text).where(Chunk.ordinal == 0).order_by(Chunk.id.desc()).limit(documents)
        return list(self.session.exec(statement).all())

    def indexable_hashes(self) -> dict[int, str]:
        """Chunk id -> content hash of everything the indexes must hold: what an index copy is compared with,
        without reading texts or vectors."""
        return dict(self.session.exec(self._indexable(Chunk.id, Chunk.content_hash)).all())

    def indexable(self, ids: Collection[int] | None = None):
        """(id, text, embedding, content_hash, language) of every enabled chunk of every ready document, or of `ids`
        among them."""
        statement = self._indexable(Chunk.id, Chunk.text, Chunk.embedding, Chunk.content_hash,
                                    Chunk.language).order_by(Chunk.id)
        if ids is None:
            yield from self.session.exec(statement)
            return
        for batch in in_batches(sorted(ids)):
            yield from self.session.exec(statement.where(col(Chunk.id).in_(batch)))

    def count_indexable(self) -> int:
        return int(self.session.exec(self._indexable(func.count(Chunk.id))).one())

    def ids_with_tags(self, tags: list[str]) -> set[int]:
        documents = self.session.exec(select(Document.id, Document.tags).where(Document.account_id == self.account_id))
        wanted = [doc_id for doc_id, doc_tags in documents if set(tags) & set(doc_tags)]
        if not wanted:
            return set()
        return set(self.session.exec(select(Chunk.id).where(Chunk.account_id == self.account_id,
                                                            col(Chunk.document_id).in_(wanted))))
