"""Per-item results of the batch create mutations (`create<Plural>(data, partial: true)`).

Twenty types these lists `[Company!]!`, and the golden SDL keeps that type. Under the spec's
error propagation, one null item would null the whole list and then `data` itself (the field
is non-null too), losing every record that was written. So a refused item travels through the
resolved list as a `RefusedItem`; the executor below records it as an error located at the
field and the item's index (`path: ["createCompanies", 2]`, `extensions.index`) and leaves null
in that one place, exactly what the `@experimental_disableErrorPropagation` operation
directive of graphql-core does, but for these items only. Every other error propagates as the
spec says. The `partial` argument's description tells clients the list then holds nulls.
"""

from __future__ import annotations

from typing import Any

from graphql import Executor, GraphQLError, GraphQLOutputType
from graphql.execution.executor import FieldDetailsList, to_nodes
from graphql.pyutils import Path

from chalicelib.core.partial_batch import ItemError
from chalicelib.graphql.errors import code_for
from chalicelib.graphql.fast_execution import PlainFields


class RefusedItem(Exception):
    """A batch input the core refused, in place of its record in the resolved list."""

    def __init__(self, item: ItemError) -> None:
        super().__init__(item.error.message)
        self.item = item


class PartialItemsExecutor(PlainFields, Executor[Any]):
    """graphql-core's executor, with refused batch items as nulls beside their errors."""

    def handle_field_error(
        self,
        raw_error: Exception,
        return_type: GraphQLOutputType,
        field_details_list: FieldDetailsList,
        path: Path,
    ) -> None:
        if not isinstance(raw_error, RefusedItem):
            super().handle_field_error(raw_error, return_type, field_details_list, path)
            return
        item = raw_error.item
        extensions: dict[str, Any] = {
            "code": code_for(item.error),
            "subCode": item.error.code,
            "index": item.index,
        }
        if item.field is not None:
            extensions["field"] = item.field
        error = GraphQLError(
            "; ".join(item.error.messages),
            to_nodes(field_details_list),
            path=path.as_list(),
            extensions=extensions,
        )
        # Collected, never raised: the item alone is null (its list type is non-null).
        self.collected_errors.add(error, path)
