"""A figure states the number its quote states.

``companies: {value: 570, approximate: true, quote: 約570社}`` is checked
against its own quote before anything is built: the number in the quote
(full-width digits and grouping commas read as the page writes them) must be
the value, and 約 ("about") must agree with ``approximate``. A quote without
digits (a number written in words) must say so with ``number_in_quote: none``,
so a reviewer knows the value was read by a person.
"""

from __future__ import annotations

import re

from clusterlod.model import TYPES, Kind
from clusterlod.sources.records import Record, Value

#: A number as the page writes it: optional 約, digits with grouping commas (ASCII or full width).
NUMBER = re.compile(r"(約)?\s*([0-9０-９]{1,3}(?:[,，][0-9０-９]{3})+|[0-9０-９]+)")
WIDE = str.maketrans("０１２３４５６７８９，", "0123456789,")
NO_NUMBER = "none"


def stated_numbers(quote: str) -> list[tuple[int, bool]]:
    """Each number the quote states, with whether 約 precedes it."""
    return [(int(m.group(2).translate(WIDE).replace(",", "")), m.group(1) is not None) for m in NUMBER.finditer(quote)]


def check_figures(records: list[Record]) -> None:
    """Raise DataError (file, line, record) for the first figure that disagrees with its quote."""
    for record in records:
        spec = TYPES.get(record.type)
        if spec is None:
            continue  # the graph builder names the unknown type
        for name, value in record.fields.items():
            field = spec.field(name)
            if field is not None and field.kind is Kind.FIGURE and isinstance(value.data, dict):
                check_figure(record, name, value.data, value.line_of("quote"), value.line_of("value"))
            quote = record.fields.get(f"{name}_quote")
            if field is not None and field.kind is Kind.INT and quote is not None:
                check_number(record, name, value, quote)


def check_number(record: Record, name: str, value: Value, quote: Value) -> None:
    """A whole number with its own quote (``ordinal: 7``, ``ordinal_quote: 第7回``) states what the quote states."""
    if not isinstance(value.data, str) or not isinstance(quote.data, str) or not re.fullmatch(r"[0-9]+", value.data):
        return  # an editorial value ({value, basis}) or a malformed one: the graph builder says which
    numbers = [number for number, _ in stated_numbers(quote.data)]
    if numbers != [int(value.data)]:
        said = ", ".join(str(n) for n in numbers) or "no number"
        raise record.error(f"field '{name}': value {value.data} but its quote {quote.data!r} states {said}", value.line)


def check_figure(record: Record, name: str, data: dict, quote_line: int, value_line: int) -> None:
    quote, value = data.get("quote"), data.get("value")
    if not isinstance(quote, str) or not isinstance(value, str) or not re.fullmatch(r"[0-9]+", value):
        return  # no quote (an editorial figure) or a malformed value: the graph builder says which
    numbers = stated_numbers(quote)
    declared = data.get("number_in_quote")
    if not numbers:
        if declared != NO_NUMBER:
            raise record.error(f"field '{name}': the quote {quote!r} states no number in digits; check the value "
                               f"and add 'number_in_quote: {NO_NUMBER}' to say it was read by a person", quote_line)
        return
    if declared is not None:
        raise record.error(f"field '{name}': 'number_in_quote: {declared}' but the quote {quote!r} states "
                           f"{', '.join(str(n) for n, _ in numbers)}", quote_line)
    if len(numbers) > 1:
        raise record.error(f"field '{name}': the quote {quote!r} states {len(numbers)} numbers; "
                           "quote only the words of this figure", quote_line)
    number, about = numbers[0]
    if int(value) != number:
        raise record.error(f"field '{name}': value {value} but its quote {quote!r} states {number}", value_line)
    approximate = data.get("approximate", "false") == "true"
    if about != approximate:
        said = "says 約 (about)" if about else "has no 約 (about)"
        raise record.error(f"field '{name}': the quote {quote!r} {said} but 'approximate' is "
                           f"{'true' if approximate else 'false'}", quote_line)
