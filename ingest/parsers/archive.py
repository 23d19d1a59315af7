"""Zip members read in slices with every inflated byte counted, so a lying size table changes nothing.

zipfile trusts the central directory for an entry's size; here the caps are checked against the bytes that
actually come out of the decompressor, as they come out, and reading stops at the cap.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Iterator

from ingest.parsers.base import ParseError
from ingest.parsers.limits import IngestLimits, describe_size

READ_SIZE = 64 * 2**10
MAX_ENTRIES = 10_000
# Word's XML deflates about 10:1, and deflate cannot pass about 1032:1; beyond 100:1 over a megabyte the
# archive was built to explode (measured on the bytes really inflated and read, not on the declared sizes).
MAX_COMPRESSION_RATIO = 100
RATIO_CHECK_MIN_BYTES = 2**20
# The methods Word writes. zipfile inflates bzip2 and LZMA in unbounded steps (a few KB of bzip2 can
# expand to gigabytes in one call), so those are refused before a byte is inflated.
READABLE_METHODS = {zipfile.ZIP_STORED: "stored", zipfile.ZIP_DEFLATED: "deflate"}
_ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, ValueError, OSError,
               NotImplementedError, RuntimeError)


class _CountingFile(io.BytesIO):
    """The archive's bytes, counting how many the zip reader has pulled (the compressed side of the ratio)."""

    pulled = 0

    def read(self, size: int | None = -1) -> bytes:
        data = super().read(size)
        self.pulled += len(data)
        return data


class Archive:
    """A DOCX's zip archive; `stream(name)` yields a member's bytes within the caps in `limits`."""

    def __init__(self, data: bytes, limits: IngestLimits) -> None:
        self.limits = limits
        self.unpacked = 0  # bytes inflated so far, across every member read
        self._file = _CountingFile(data)
        try:
            self._zip = zipfile.ZipFile(self._file)
            entries = self._zip.infolist()
        except _ZIP_ERRORS as exc:
            raise ParseError("the DOCX file is damaged (not a readable zip archive); try saving it again") from exc
        if len(entries) > MAX_ENTRIES:
            raise ParseError(f"the DOCX file holds {len(entries)} parts, more than a Word document ever needs; "
                             "refused")
        self._entries = {entry.filename: entry for entry in entries}

    def __contains__(self, name: str) -> bool:
        return name in self._entries

    def stream(self, name: str) -> Iterator[bytes]:
        """The member's bytes in slices; ParseError the moment the part or the archive passes its cap."""
        entry = self._entries[name]
        if entry.compress_type not in READABLE_METHODS:
            raise ParseError(f"the DOCX part {name} is compressed with a method Word never uses; "
                             "save the document again in Word")
        if entry.flag_bits & 0x1:
            raise ParseError("the DOCX file is encrypted; remove the password and upload it again")
        part_limit, total_limit = self.limits.max_part_bytes, self.limits.max_unpacked_bytes
        inflated = 0
        try:
            with self._zip.open(entry) as member:
                pulled_before = self._file.pulled
                while chunk := member.read(READ_SIZE):
                    inflated += len(chunk)
                    self.unpacked += len(chunk)
                    if inflated > part_limit:
                        raise ParseError(f"the DOCX unpacks to more than {describe_size(part_limit)} of XML "
                                         f"({name}), the limit; split the document")
                    if self.unpacked > total_limit:
                        raise ParseError(f"the DOCX unpacks to more than {describe_size(total_limit)}, the limit; "
                                         "split the document")
                    pulled = max(self._file.pulled - pulled_before, 1)
                    if inflated >= RATIO_CHECK_MIN_BYTES and inflated / pulled > MAX_COMPRESSION_RATIO:
                        raise ParseError("the DOCX file is compressed far beyond what Word produces "
                                         "(a zip bomb?); refused")
                    yield chunk
        except _ZIP_ERRORS as exc:
            raise ParseError("the DOCX file is damaged and cannot be read; try saving it again") from exc
