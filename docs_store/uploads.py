"""Uploads are bounded while they stream, not after they are read whole.

``LimitedUploadHandler`` runs first in ``FILE_UPLOAD_HANDLERS``: it counts the bytes of
each file as the multipart parser hands them over and stops the upload the moment one
file passes ``YITING_DOCS_MAX_BYTES`` (or the request passes ``max_request_bytes``,
known from ``Content-Length`` before a byte is parsed). The rest of the body is skipped,
not stored; the view answers ``pdf_too_large`` with the limit. Files under the limit
spool to disk past ``FILE_UPLOAD_MAX_MEMORY_SIZE`` as Django does.

The body is parsed here too, in ``handle_raw_input``, so that a body Django cannot parse
is answered with a code. Django's CSRF check reads ``request.POST`` before the view
runs; a parse error there (a part's headers over Django's 1 KiB, i.e. a file name of
some 340 Chinese characters) became Django's bare "400 Bad Request" page with no code
and no message. Parsed here, the error is kept as ``request.upload_unreadable``
(``file_name_too_long`` or ``bad_upload``), the form reads as empty (the page's
``X-CSRFToken`` header still passes the CSRF check) and the view answers the code.
"""

from __future__ import annotations

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import QueryDict
from django.http.multipartparser import MultiPartParser, MultiPartParserError
from django.utils.datastructures import MultiValueDict

from docs_store.validation import max_bytes

# A request may carry several files; the whole body is bounded too (nginx says the same).
FILES_PER_REQUEST = 20


def max_request_bytes() -> int:
    return max_bytes() * 2 + 1024 * 1024


def unreadable_code(exc: Exception) -> str:
    """The code of a body Django could not parse: a part's headers over Django's 1 KiB
    are a file name too long (nothing else in a part's headers grows), else bad_upload."""
    if isinstance(exc, MultiPartParserError) and "header size" in str(exc):
        return "file_name_too_long"
    return "bad_upload"


class LimitedUploadHandler(FileUploadHandler):
    """Stop an upload as soon as one file (or the whole request) is over the limit."""

    parsing = False

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        if content_length and content_length > max_request_bytes():
            self.request.upload_refused = {
                "file": "",
                "size": content_length,
                "limit": max_request_bytes(),
            }
            return QueryDict(), MultiValueDict()  # parse nothing; the view refuses
        if self.parsing:
            return None  # the parse below: Django's own parser goes on
        self.parsing = True
        try:
            parser = MultiPartParser(META, input_data, self.request.upload_handlers, encoding)
            return parser.parse()
        except (
            MultiPartParserError,
            TooManyFieldsSent,
            TooManyFilesSent,
            RequestDataTooBig,
        ) as exc:
            self.request.upload_unreadable = unreadable_code(exc)
            return QueryDict(), MultiValueDict()  # the view answers the code
        finally:
            self.parsing = False

    def new_file(self, *args, **kwargs) -> None:
        super().new_file(*args, **kwargs)
        self.seen = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.seen = start + len(raw_data)
        if self.seen > max_bytes():
            self.request.upload_refused = {
                "file": self.file_name or "",
                "size": self.seen,
                "limit": max_bytes(),
            }
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None  # the next handler (memory or temporary file) builds the file
