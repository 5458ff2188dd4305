from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from clientela.core.pagination import InvalidCursor, paginate


class KeysetCursorPagination(BasePagination):
    """``{"results": [...], "next": url, "previous": url}`` over ``core.pagination``.

    The view names its orderings in ``orderings`` (``{"name": ["sort_name", "id"], ...}``) and
    the default in ``default_ordering``; clients choose with ``?ordering=``.
    """

    page_size = 50
    max_page_size = 200
    cursor_query_param = "cursor"

    # A subclass may fix its own orderings (e.g. history, newest first) instead of the view's.
    orderings = None
    default_ordering = None

    def _orderings(self, view):
        if self.orderings is not None:
            return self.orderings, self.default_ordering
        return (
            getattr(view, "orderings", {"id": ["id"]}),
            getattr(view, "default_ordering", "id"),
        )

    def paginate_queryset(self, queryset, request, view=None):
        orderings, default = self._orderings(view)
        key = request.query_params.get("ordering") or default
        if key not in orderings:
            raise ValidationError(
                {"ordering": [_("Choose one of: %(options)s.") % {"options": ", ".join(orderings)}]}
            )
        self.page_size = self._page_size(request)
        try:
            page = paginate(
                queryset, orderings[key], request.query_params.get("cursor"), self.page_size
            )
        except InvalidCursor as error:
            raise ValidationError({"cursor": [_("Invalid cursor.")]}) from error
        self.request = request
        self.page = page
        return page.items

    def _page_size(self, request):
        raw = request.query_params.get("page_size")
        if raw is None:
            return self.page_size
        try:
            size = int(raw)
        except ValueError as error:
            raise ValidationError({"page_size": [_("Enter a whole number.")]}) from error
        if not 1 <= size <= self.max_page_size:
            raise ValidationError(
                {"page_size": [_("Between 1 and %(max)d.") % {"max": self.max_page_size}]}
            )
        return size

    def _link(self, cursor):
        if cursor is None:
            return None
        return replace_query_param(self.request.build_absolute_uri(), "cursor", cursor)

    def get_paginated_response(self, data):
        return Response(
            {
                "next": self._link(self.page.next_cursor),
                "previous": self._link(self.page.previous_cursor),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["results"],
            "properties": {
                "next": {"type": "string", "nullable": True, "format": "uri"},
                "previous": {"type": "string", "nullable": True, "format": "uri"},
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view):
        orderings, default = self._orderings(view)
        orderings = [default, *(key for key in orderings if key != default)]
        return [
            {
                "name": "cursor",
                "required": False,
                "in": "query",
                "description": "Position returned as next/previous.",
                "schema": {"type": "string"},
            },
            {
                "name": "page_size",
                "required": False,
                "in": "query",
                "schema": {"type": "integer", "minimum": 1, "maximum": self.max_page_size},
            },
            {
                "name": "ordering",
                "required": False,
                "in": "query",
                "schema": {"type": "string", "enum": orderings},
                "description": "Sort order (default first).",
            },
        ]
