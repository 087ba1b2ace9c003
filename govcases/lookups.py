"""A foreign key compared with a number the database cannot hold matches nothing, as Django already does for
integer fields: `/cases/99999999999999999999/` is a 404, not SQLite's OverflowError.

Django 5 checks the range of `IntegerField` lookups (IntegerFieldOverflow) but not of a foreign key's
`exact`, which filters such as `case_id=…` and the admin's list filters (`?round=…`) use.
"""

from django.core.exceptions import EmptyResultSet
from django.db.models import ForeignKey
from django.db.models.fields.related_lookups import RelatedExact


@ForeignKey.register_lookup
class RelatedExactInRange(RelatedExact):
    def process_rhs(self, compiler, connection):
        if isinstance(self.rhs, int) and not isinstance(self.rhs, bool):
            target_type = self.lhs.output_field.target_field.get_internal_type()
            if target_type in connection.ops.integer_field_ranges:
                lowest, highest = connection.ops.integer_field_range(target_type)
                if (lowest is not None and self.rhs < lowest) or (highest is not None and self.rhs > highest):
                    raise EmptyResultSet
        return super().process_rhs(compiler, connection)
