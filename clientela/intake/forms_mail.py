"""The forms of e-mail capture: a mailbox (its password never shown back) and an e-mail sent
from a contact's or a deal's page."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from clientela.activities import richtext
from clientela.core.models import Team, User

from .choices import MailSecurity
from .models import Mailbox
from .services.mail import mailboxes


class MailboxForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    email_address = forms.EmailField(
        label=_("Address"),
        max_length=254,
        help_text=_("The mailbox's own address: mail from it is outbound, to it inbound."),
    )
    host = forms.CharField(label=_("IMAP server"), max_length=253)
    port = forms.IntegerField(label=_("Port"), min_value=1, max_value=65535, initial=993)
    security = forms.ChoiceField(
        label=_("Security"), choices=MailSecurity.choices, initial=MailSecurity.TLS
    )
    username = forms.CharField(label=_("User name"), max_length=254)
    password = forms.CharField(
        label=_("Password"),
        max_length=mailboxes.MAX_PASSWORD_LENGTH,
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_("Stored encrypted. Leave empty to keep the current one."),
    )
    folders = forms.CharField(
        label=_("Folders"),
        max_length=5000,
        initial="INBOX\nSent",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line: INBOX for what comes in, Sent for what goes out."),
    )
    verify_certificate = forms.BooleanField(
        label=_("Verify the server's certificate"), required=False, initial=True
    )
    ca_file = forms.CharField(
        label=_("CA certificate file"),
        max_length=500,
        required=False,
        help_text=_("For a server with its own certificate: the full path of its CA file."),
    )
    create_contacts = forms.BooleanField(label=_("Create unknown senders as leads"), required=False)
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    owner = forms.ModelChoiceField(
        label=_("Owner of the captured e-mails"),
        queryset=User.objects.filter(is_active=True),
        required=False,
        help_text=_("Empty: the contact's owner."),
    )
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.all(), required=False)

    def __init__(self, *args, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.editing = editing

    @staticmethod
    def initial_for(mailbox):
        return {
            **{name: getattr(mailbox, name) for name in mailboxes.MAILBOX_FIELDS},
            "folders": "\n".join(mailbox.folder_names),
        }

    def clean_password(self):
        password = self.cleaned_data.get("password") or ""
        if not password and not self.editing:
            raise forms.ValidationError(_("This field is required."))
        return password

    def clean_folders(self):
        try:
            return mailboxes.clean_folders(self.cleaned_data.get("folders") or "")
        except forms.ValidationError as error:
            raise forms.ValidationError(error.messages) from None


class SendEmailForm(forms.Form):
    from_address = forms.ChoiceField(label=_("From"))
    to = forms.CharField(
        label=_("To"), max_length=5000, help_text=_("E-mail addresses, separated by commas.")
    )
    subject = forms.CharField(label=_("Subject"), max_length=300)
    body = forms.CharField(
        label=_("Message"),
        max_length=richtext.MAX_LENGTH - 100,
        widget=forms.Textarea(attrs={"rows": 10}),
    )
    message_id = forms.CharField(max_length=500, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        addresses = [settings.DEFAULT_FROM_EMAIL] + list(
            Mailbox.objects.filter(active=True).values_list("email_address", flat=True)
        )
        choices = list(dict.fromkeys(addresses))
        self.fields["from_address"].choices = [(a, a) for a in choices]
        if len(choices) > 1:
            self.fields["from_address"].initial = choices[1]  # a captured mailbox: replies return
