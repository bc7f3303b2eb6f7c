import os

import polib

from odoo.tests import TransactionCase, tagged
from odoo.tools.translate import TranslationModuleReader

from .common import QueueCase

MODULE = "sales_team_queue"
I18N = os.path.join(os.path.dirname(os.path.dirname(__file__)), "i18n")
SHIPPED = {"th": "th_TH", "zh_CN": "zh_CN", "vi": "vi_VN"}


@tagged("post_install", "-at_install")
class TestTranslations(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.terms = {
            source
            for module, _type, _name, _id, source, _value, _comments in (
                TranslationModuleReader(cls.env.cr, modules=[MODULE])
            )
            if module == MODULE and source
        }

    def test_every_term_is_translated_in_each_shipped_language(self):
        self.assertGreater(len(self.terms), 20, "the module has user-facing terms")
        for lang in SHIPPED:
            with self.subTest(lang=lang):
                po = polib.pofile(os.path.join(I18N, f"{lang}.po"))
                translated = {e.msgid for e in po.translated_entries()}
                missing = sorted(self.terms - translated)
                self.assertFalse(
                    missing, f"{lang}.po lacks {len(missing)} terms: {missing[:10]}"
                )
                self.assertFalse(po.fuzzy_entries(), f"{lang}.po has fuzzy entries")

    def test_placeholders_survive_translation(self):
        for lang in SHIPPED:
            po = polib.pofile(os.path.join(I18N, f"{lang}.po"))
            for entry in po.translated_entries():
                for placeholder in ("%s", "%d", "%(", "{"):
                    with self.subTest(lang=lang, msgid=entry.msgid):
                        self.assertEqual(
                            entry.msgid.count(placeholder),
                            entry.msgstr.count(placeholder),
                        )

    def test_team_settings_read_in_thai_chinese_vietnamese(self):
        field = self.env["ir.model.fields"]._get("crm.team", "lead_visibility")
        english = field.field_description
        for lang, code in SHIPPED.items():
            with self.subTest(lang=lang):
                self.env["res.lang"]._activate_lang(code)
                self.env["ir.module.module"]._load_module_terms([MODULE], [code])
                label = field.with_context(lang=code).field_description
                po = polib.pofile(os.path.join(I18N, f"{lang}.po"))
                expected = next(e.msgstr for e in po if e.msgid == english)
                self.assertEqual(label, expected)
                self.assertNotEqual(label, english)


@tagged("post_install", "-at_install")
class TestReasonLanguage(QueueCase):
    """Ledger reasons are written as codes and read in the reader's language,
    not in the language of whoever triggered the routing."""

    def test_reason_reads_in_the_reader_language(self):
        self._create_queue()
        # Routed by a Chinese-speaking integration user...
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env["res.lang"]._activate_lang("th_TH")
        _first, second = (
            self.env["crm.lead"]
            .with_context(lang="zh_CN")
            .create(
                [
                    {"name": "Web 1", "team_id": self.team.id, "user_id": False},
                    {"name": "Web 2", "team_id": self.team.id, "user_id": False},
                ]
            )
        )
        line = second.assignment_ids
        self.assertEqual(
            line.with_context(lang="en_US").reason, "round robin: next after Somchai"
        )
        # ... and read by a Thai leader: Thai, with the name filled in.
        po = polib.pofile(os.path.join(I18N, "th.po"))
        template = next(
            e.msgstr for e in po if e.msgid == "round robin: next after %(user)s"
        )
        thai = line.with_context(lang="th_TH").reason
        self.assertEqual(thai, template % {"user": "Somchai"})
        self.assertNotEqual(thai, "round robin: next after Somchai")
