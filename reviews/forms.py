"""Forms of the review pages: they check the shape of the input; reviews.services enforces the rules."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from govcases.permissions import allowed

from .enums import RUBRIC_FROZEN_PHASES
from .models import Criterion
from .permissions import REVIEW


def criterion_field_name(criterion: Criterion) -> str:
    return f"criterion_{criterion.pk}"


class ReviewForm(forms.Form):
    """One whole-number field per criterion of the rubric (blank allowed while drafting) and a comment."""

    comment = forms.CharField(
        label=_("Overall comment"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
    )

    def __init__(self, *args, criteria: list[Criterion], **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        for criterion in criteria:
            self.fields[criterion_field_name(criterion)] = forms.IntegerField(
                label=criterion.name,
                help_text=criterion.description,
                required=False,
                min_value=0,
                max_value=criterion.max_points,
                error_messages={
                    "min_value": _("Points cannot be below 0."),
                    "max_value": _("At most %(limit_value)s points for this criterion."),
                },
                widget=forms.NumberInput(attrs={"min": 0, "max": criterion.max_points, "step": 1}),
            )
        self.order_fields([*(criterion_field_name(c) for c in criteria), "comment"])

    def criterion_fields(self):
        return [(criterion, self[criterion_field_name(criterion)]) for criterion in self.criteria]

    def points(self) -> dict[int, int | None]:
        return {
            criterion.pk: self.cleaned_data.get(criterion_field_name(criterion))
            for criterion in self.criteria
        }


class RevisionForm(ReviewForm):
    """A submitted review revised after the discussion: every criterion again, and why it changed."""

    reason = forms.CharField(
        label=_("Why do you revise your review?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, criteria: list[Criterion], **kwargs):
        super().__init__(*args, criteria=criteria, **kwargs)
        for criterion in criteria:
            self.fields[criterion_field_name(criterion)].required = True
        self.fields["comment"].widget.attrs["rows"] = 4


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Your comment"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Write your comment first.")},
    )


class DiscussionClosingForm(forms.Form):
    """Why an organiser closes a case's discussion as settled, or reopens it."""

    reason = forms.CharField(
        label=_("Reason"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Say why: the reason is shown to the case's reviewers.")},
    )


class DeclineForm(forms.Form):
    """A reviewer giving a case back: declined, or a conflict of interest they found, and why."""

    DECLINE, CONFLICT = "decline", "conflict"
    kind = forms.ChoiceField(
        label=_("What do you want to do?"),
        choices=[
            (DECLINE, _("Decline this case")),
            (CONFLICT, _("Declare a conflict of interest with this case")),
        ],
        widget=forms.RadioSelect,
        initial=DECLINE,
    )
    reason = forms.CharField(
        label=_("Why? (the organisers read it)"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        error_messages={"required": _("Give a reason.")},
    )


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is the review reopened?"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )


class AssignmentRemovalForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Kept in the assignments' history with who removed them and when."),
    )


class CriterionForm(forms.ModelForm):
    """A rubric line: the category's criteria may never add up to more than 100 points."""

    class Meta:
        model = Criterion
        fields = ["round", "category", "position", "name", "description", "max_points"]

    def clean(self):
        cleaned = super().clean()
        round, category, max_points = cleaned.get("round"), cleaned.get("category"), cleaned.get("max_points")
        if round and round.phase in RUBRIC_FROZEN_PHASES:
            raise forms.ValidationError(_("The rubric is frozen once review opens."))
        if round and category and max_points:
            others = Criterion.objects.filter(round=round, category=category).exclude(pk=self.instance.pk)
            taken = others.aggregate(points=Sum("max_points"))["points"] or 0
            if taken + max_points > 100:
                self.add_error(
                    "max_points",
                    _("The criteria of this category would add up to %(sum)d points; the rubric has 100.")
                    % {"sum": taken + max_points},
                )
        return cleaned


class ReviewerLoginForm(AuthenticationForm):
    """The /review/ login: any active reviewer, whether or not their account is marked as staff."""

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if not allowed(user, REVIEW):
            raise forms.ValidationError(
                _("This account is not a reviewer's. Log in at the portal or the organisers' site."),
                code="not_reviewer",
            )
