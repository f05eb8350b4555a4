"""Self-service queries: a service guide, application progress, the hall's queues."""
from __future__ import annotations

from kivy.factory import Factory
from kivy.metrics import dp

from .widgets import COLORS, BiLabel, EntryScreen, KioskScreen, load_kv

load_kv("widgets.kv")
load_kv("take.kv")
load_kv("queries.kv")


class GuideScreen(KioskScreen):
    def refresh(self) -> None:
        guide = self.presenter
        self.ids.title.set_pair(guide.title)
        body = self.ids.body
        body.clear_widgets()
        for heading, lines in guide.sections():
            body.add_widget(Factory.Heading(zh=heading.zh, en=heading.en))
            for text in lines:
                body.add_widget(Factory.Para(zh=text.zh, en=text.en, one_line=False))
        self.ids.take.disabled = not guide.can_take
        self.ids.take.opacity = 1 if guide.can_take else 0.4
        self.ids.book.disabled = not guide.can_book
        self.ids.book.opacity = 1 if guide.can_book else 0.4
        self.ids.print.disabled = not guide.can_print or guide.printing
        self.ids.print.opacity = 1 if guide.can_print else 0
        self.ids.message.set_pair(guide.message)


class ProgressScreen(EntryScreen):
    def refresh(self) -> None:
        progress = self.presenter
        self.ids.hint.set_pair(progress.hint)
        self.show_entry()
        body = self.ids.result
        body.clear_widgets()
        for label, value in progress.lines():
            body.add_widget(Factory.Para(zh=f"{label.zh}：{value.zh}", en=f"{label.en}: {value.en}", base=20))
        if progress.result:
            body.add_widget(Factory.Heading(zh="办理记录", en="History"))
        for line in progress.history():
            body.add_widget(Factory.Para(zh=line.zh, en=line.en, base=17))


class StatusScreen(KioskScreen):
    def refresh(self) -> None:
        table = self.ids.table
        table.clear_widgets()
        for row in self.presenter.rows():
            for column, text in enumerate(row):
                label = BiLabel(zh=text.zh, en=text.en, base=22 if column < 2 else 18,
                                color=COLORS["accent"] if column == 1 else COLORS["text"],
                                size_hint_y=None, height=table.row_default_height)
                # a row is as tall as its longest words (a long English name in large text)
                label.bind(texture_size=lambda lb, size: setattr(lb, "height", max(table.row_default_height,
                                                                                    size[1] + dp(8))))
                table.add_widget(label)
