"""The bot's own words in each reply language (a server's `language` setting): one table,
English the fallback. Adapters take every fixed text of replies, the moderators' log and the
answers to /factcheck, "Check this message" and the buttons on replies from here, and keep no
copies. The settings screens (`/claimwatch`), `/facts` and the reason a match was queued stay in
English (docs/settings.md).

Only the fixed wording is translated. Fact-base text (an entry's context, source titles) is
curated in English and shown as written: a machine translation of a fact check would be a new,
unchecked text. Placeholders in braces are filled with `str.format`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from bot.core.models import Verdict

__all__ = ["DEFAULT_LANGUAGE", "LABELS", "Labels", "labels_for"]

DEFAULT_LANGUAGE = "en"


@dataclass(frozen=True, slots=True)
class Labels:
    """Every fixed text of the bot's replies and log entries, in one language."""

    # The reply.
    fact_check: str  # the title before the verdict: "Fact check · False"
    verdicts: Mapping[Verdict, str]
    sources: str
    confidence: str  # {percent}
    as_of: str  # {date}
    match_confidence: str
    fact_base_entry: str
    checked_as_of: str  # {date}
    checked_heading: str
    tags: str
    # Feedback under a reply; buttons by vote (the service's FEEDBACK_VOTES).
    feedback_buttons: Mapping[str, str]
    feedback_thanks: str
    feedback_unknown: str
    # Answers to /factcheck and "Check this message".
    check_alert: str
    check_suggest: str  # {percent}
    check_closest: str  # {id} {verdict}; Discord's commands are named in it
    check_none: str  # {entries}
    check_not_asserted: str
    check_no_match: str
    check_possible: str
    nothing_to_check: str  # "Check this message" on a message without text
    factcheck_usage: str  # Slack's /factcheck without text (Discord requires the text)
    share: str
    share_gone: str  # the shared entry left the fact base meanwhile
    not_in_channel: str  # Slack's: sharing where the bot was not invited
    # The moderators' log.
    review_title: str
    review_intro: str  # {message} {channel}
    message_by: str  # {author}
    a_message: str
    jump_to_message: str
    review_howto: str  # {reply} {dismiss}: the button names
    reply_button: str
    dismiss_button: str
    claim: str
    verdict: str
    candidate_entry: str
    why_here: str
    excerpt: str
    queue_item: str  # {id}
    outcome: str
    dismissed_by: str  # {moderator}
    approved_by: str  # {moderator} {link}
    reply_posted: str  # {link}'s text, a link to the reply where the platform has one
    approved_not_posted: str  # {moderator} {why}
    message_gone: str
    cannot_post: str  # {channel} {reason}
    invite_then_retry: str  # {reply}: the button's name; Slack's, where the app was not invited
    replied: str  # {replied} {channel} {claim} {percent} {reason}; a log line
    replied_link: str  # the text of {replied}
    # Refusals and errors.
    not_a_moderator: str  # Discord's permission is named in it
    not_a_workspace_moderator: str  # Slack's: admins, owners and the moderators' user groups
    queue_gone: str
    failed: str


_EN = Labels(
    fact_check="Fact check",
    verdicts={
        Verdict.FALSE: "False",
        Verdict.MISLEADING: "Misleading",
        Verdict.MISSING_CONTEXT: "Missing context",
        Verdict.UNPROVEN: "Unproven",
        Verdict.TRUE: "True",
    },
    sources="Sources",
    confidence="Confidence {percent}%",
    as_of="as of {date}",
    match_confidence="Match confidence",
    fact_base_entry="Fact-base entry",
    checked_as_of="checked as of {date}",
    checked_heading="Checked as of",
    tags="Tags",
    feedback_buttons={
        "helpful": "Helpful",
        "not_helpful": "Not helpful",
        "wrong_claim": "Wrong claim",
    },
    feedback_thanks="Thanks, your feedback was recorded. It helps the moderators tune claimwatch.",
    feedback_unknown=(
        "claimwatch no longer keeps a record of this reply, so the vote was not counted."
    ),
    check_alert="This matches a claim in claimwatch's fact base.",
    check_suggest=(
        "This may be about a claim in the fact base (match confidence {percent}%). "
        "Check that the entry below is really what the text says."
    ),
    check_closest=(
        "No confident match. The closest entry is `{id}` ({verdict}), but the text does not "
        "clearly make that claim. See `/facts show id:{id}`, or browse with `/facts search`."
    ),
    check_none=(
        "No match: none of the {entries} claims in claimwatch's fact base fits this text. "
        "That says nothing about whether it is true, only that it is not a claim we track. "
        "Browse what is covered with `/facts search`."
    ),
    check_not_asserted=(
        "Nothing to flag: the text touches a checked claim but does not assert it clearly "
        "enough for a fact check."
    ),
    check_no_match="Nothing in the fact base matches this text.",
    check_possible="Possible match: below the confidence the bot needs to reply on its own.",
    nothing_to_check="That message has no text to check.",
    factcheck_usage=(
        "Usage: `/factcheck <text of the claim>` — checks it privately against the fact base."
    ),
    share="Share in channel",
    share_gone="That fact check is no longer in the fact base.",
    not_in_channel="I can't post in this channel: invite me first with `/invite @claimwatch`.",
    review_title="Possible known claim · needs a moderator",
    review_intro="{message} in {channel} may repeat a claim from the fact base.",
    message_by="A message by {author}",
    a_message="A message",
    jump_to_message="Jump to the message",
    review_howto="{reply} posts the fact check under it; {dismiss} leaves it alone.",
    reply_button="Reply",
    dismiss_button="Dismiss",
    claim="Claim",
    verdict="Verdict",
    candidate_entry="Candidate entry",
    why_here="Why it is here",
    excerpt="Excerpt",
    queue_item="Queue item {id}",
    outcome="Outcome",
    dismissed_by="Dismissed by {moderator}.",
    approved_by="Approved by {moderator}: {link}.",
    reply_posted="reply posted",
    approved_not_posted="Approved by {moderator}, but {why}.",
    message_gone="the message was deleted meanwhile: nothing was posted",
    cannot_post="claimwatch may not post in {channel} ({reason}): nothing was posted",
    invite_then_retry="Invite it there with `/invite @claimwatch`, then click {reply} again.",
    replied="{replied} in {channel}: {claim}, confidence {percent}% — {reason}",
    replied_link="Replied",
    not_a_moderator=(
        "Sorry, only this server's moderators can do that: it needs the Manage Server "
        "permission or one of the server's moderator roles."
    ),
    not_a_workspace_moderator=(
        "Only workspace admins and claimwatch moderators can do that. Ask an admin to add you to "
        "the moderators' user group."
    ),
    queue_gone="This one was already handled by another moderator, or is no longer queued.",
    failed="Sorry, something went wrong on claimwatch's side; the moderators can check its log.",
)

_UK = Labels(
    fact_check="Перевірка фактів",
    verdicts={
        Verdict.FALSE: "Неправда",
        Verdict.MISLEADING: "Вводить в оману",
        Verdict.MISSING_CONTEXT: "Бракує контексту",
        Verdict.UNPROVEN: "Не доведено",
        Verdict.TRUE: "Правда",
    },
    sources="Джерела",
    confidence="Впевненість {percent}%",
    as_of="станом на {date}",
    match_confidence="Впевненість збігу",
    fact_base_entry="Запис бази фактів",
    checked_as_of="перевірено станом на {date}",
    checked_heading="Перевірено станом на",
    tags="Теги",
    feedback_buttons={
        "helpful": "Корисно",
        "not_helpful": "Некорисно",
        "wrong_claim": "Не те твердження",
    },
    feedback_thanks=(
        "Дякуємо, ваш відгук враховано. Він допомагає модераторам налаштовувати claimwatch."
    ),
    feedback_unknown=(
        "claimwatch більше не зберігає запис про цю відповідь, тож голос не враховано."
    ),
    check_alert="Це збігається з твердженням із бази фактів claimwatch.",
    check_suggest=(
        "Можливо, йдеться про твердження з бази фактів (впевненість збігу {percent}%). "
        "Перевірте, чи запис нижче справді про те, що сказано в тексті."
    ),
    check_closest=(
        "Впевненого збігу немає. Найближчий запис — `{id}` ({verdict}), але текст не "
        "стверджує цього явно. Див. `/facts show id:{id}` або шукайте через `/facts search`."
    ),
    check_none=(
        "Збігів немає: жодне з {entries} тверджень бази фактів claimwatch не відповідає "
        "цьому тексту. Це нічого не каже про його правдивість, лише те, що ми не відстежуємо "
        "такого твердження. Що охоплено, можна переглянути через `/facts search`."
    ),
    check_not_asserted=(
        "Немає чого позначати: текст зачіпає перевірене твердження, але не стверджує його "
        "достатньо явно для перевірки фактів."
    ),
    check_no_match="У базі фактів немає нічого, що відповідає цьому тексту.",
    check_possible="Можливий збіг: впевненість нижча, ніж потрібно боту, щоб відповісти самому.",
    nothing_to_check="У цьому повідомленні немає тексту для перевірки.",
    factcheck_usage=(
        "Використання: `/factcheck <текст твердження>` — перевіряє його приватно за базою фактів."
    ),
    share="Поділитися в каналі",
    share_gone="Цієї перевірки фактів більше немає в базі фактів.",
    not_in_channel=(
        "Я не можу публікувати в цьому каналі: спершу запросіть мене командою "
        "`/invite @claimwatch`."
    ),
    review_title="Можливе відоме твердження · потрібен модератор",
    review_intro="{message} у {channel} може повторювати твердження з бази фактів.",
    message_by="Повідомлення від {author}",
    a_message="Повідомлення",
    jump_to_message="Перейти до повідомлення",
    review_howto="{reply} — опублікувати перевірку фактів під ним; {dismiss} — залишити як є.",
    reply_button="Відповісти",
    dismiss_button="Відхилити",
    claim="Твердження",
    verdict="Вердикт",
    candidate_entry="Можливий запис",
    why_here="Чому тут",
    excerpt="Уривок",
    queue_item="Запис черги {id}",
    outcome="Результат",
    dismissed_by="Відхилено ({moderator}).",
    approved_by="Схвалено ({moderator}): {link}.",
    reply_posted="відповідь опубліковано",
    approved_not_posted="Схвалено ({moderator}), але {why}.",
    message_gone="повідомлення тим часом видалили: нічого не опубліковано",
    cannot_post="claimwatch не може публікувати в {channel} ({reason}): нічого не опубліковано",
    invite_then_retry=(
        "Запросіть його туди командою `/invite @claimwatch` і знову натисніть «{reply}»."
    ),
    replied="{replied} у {channel}: {claim}, впевненість {percent}% — {reason}",
    replied_link="Відповідь",
    not_a_moderator=(
        "Вибачте, це можуть лише модератори сервера: потрібен дозвіл «Керувати сервером» "
        "або одна з ролей модераторів сервера."
    ),
    not_a_workspace_moderator=(
        "Це можуть лише адміністратори робочого простору та модератори claimwatch. Попросіть "
        "адміністратора додати вас до групи користувачів модераторів."
    ),
    queue_gone="Інший модератор уже розглянув це, або запису більше немає в черзі.",
    failed="Вибачте, у claimwatch щось пішло не так; модератори можуть переглянути його журнал.",
)

_RU = Labels(
    fact_check="Проверка фактов",
    verdicts={
        Verdict.FALSE: "Неправда",
        Verdict.MISLEADING: "Вводит в заблуждение",
        Verdict.MISSING_CONTEXT: "Не хватает контекста",
        Verdict.UNPROVEN: "Не доказано",
        Verdict.TRUE: "Правда",
    },
    sources="Источники",
    confidence="Уверенность {percent}%",
    as_of="по состоянию на {date}",
    match_confidence="Уверенность в совпадении",
    fact_base_entry="Запись базы фактов",
    checked_as_of="проверено по состоянию на {date}",
    checked_heading="Проверено по состоянию на",
    tags="Теги",
    feedback_buttons={
        "helpful": "Полезно",
        "not_helpful": "Бесполезно",
        "wrong_claim": "Не то утверждение",
    },
    feedback_thanks="Спасибо, ваш отзыв учтён. Он помогает модераторам настраивать claimwatch.",
    feedback_unknown="claimwatch больше не хранит запись об этом ответе, поэтому голос не учтён.",
    check_alert="Это совпадает с утверждением из базы фактов claimwatch.",
    check_suggest=(
        "Возможно, речь об утверждении из базы фактов (уверенность в совпадении {percent}%). "
        "Проверьте, действительно ли запись ниже о том, что сказано в тексте."
    ),
    check_closest=(
        "Уверенного совпадения нет. Ближайшая запись — `{id}` ({verdict}), но текст не "
        "утверждает этого явно. См. `/facts show id:{id}` или ищите через `/facts search`."
    ),
    check_none=(
        "Совпадений нет: ни одно из {entries} утверждений базы фактов claimwatch не подходит "
        "к этому тексту. Это ничего не говорит о его правдивости, только о том, что мы не "
        "отслеживаем такое утверждение. Что охвачено, можно посмотреть через `/facts search`."
    ),
    check_not_asserted=(
        "Отмечать нечего: текст касается проверенного утверждения, но не утверждает его "
        "достаточно явно для проверки фактов."
    ),
    check_no_match="В базе фактов нет ничего, что соответствует этому тексту.",
    check_possible="Возможное совпадение: уверенность ниже, чем нужно боту, чтобы ответить самому.",
    nothing_to_check="В этом сообщении нет текста для проверки.",
    factcheck_usage=(
        "Использование: `/factcheck <текст утверждения>` — проверяет его приватно по базе фактов."
    ),
    share="Поделиться в канале",
    share_gone="Этой проверки фактов больше нет в базе фактов.",
    not_in_channel=(
        "Я не могу публиковать в этом канале: сначала пригласите меня командой "
        "`/invite @claimwatch`."
    ),
    review_title="Возможное известное утверждение · нужен модератор",
    review_intro="{message} в {channel} может повторять утверждение из базы фактов.",
    message_by="Сообщение от {author}",
    a_message="Сообщение",
    jump_to_message="Перейти к сообщению",
    review_howto="{reply} — опубликовать проверку фактов под ним; {dismiss} — оставить как есть.",
    reply_button="Ответить",
    dismiss_button="Отклонить",
    claim="Утверждение",
    verdict="Вердикт",
    candidate_entry="Возможная запись",
    why_here="Почему здесь",
    excerpt="Фрагмент",
    queue_item="Элемент очереди {id}",
    outcome="Результат",
    dismissed_by="Отклонено ({moderator}).",
    approved_by="Одобрено ({moderator}): {link}.",
    reply_posted="ответ опубликован",
    approved_not_posted="Одобрено ({moderator}), но {why}.",
    message_gone="сообщение тем временем удалили: ничего не опубликовано",
    cannot_post="claimwatch не может публиковать в {channel} ({reason}): ничего не опубликовано",
    invite_then_retry=(
        "Пригласите его туда командой `/invite @claimwatch` и снова нажмите «{reply}»."
    ),
    replied="{replied} в {channel}: {claim}, уверенность {percent}% — {reason}",
    replied_link="Ответ",
    not_a_moderator=(
        "Извините, это могут только модераторы сервера: нужно право «Управлять сервером» "
        "или одна из ролей модераторов сервера."
    ),
    not_a_workspace_moderator=(
        "Это могут только администраторы рабочего пространства и модераторы claimwatch. "
        "Попросите администратора добавить вас в группу пользователей модераторов."
    ),
    queue_gone="Другой модератор уже разобрал это, или записи больше нет в очереди.",
    failed="Извините, у claimwatch что-то пошло не так; модераторы могут посмотреть его журнал.",
)

# One per language of `bot.core.models.LANGUAGES` (a test holds the two together).
LABELS: Mapping[str, Labels] = {"en": _EN, "uk": _UK, "ru": _RU}


def labels_for(language: str) -> Labels:
    """The labels in `language`; English for a language without a translation."""
    return LABELS.get(language, LABELS[DEFAULT_LANGUAGE])
