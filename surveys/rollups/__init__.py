"""The daily rollups of the survey answers: what the dashboards read instead of raw rows.

A year of a large programme is hundreds of thousands of answers, each three joins away from
the brand, touchpoint and performer it is about. :class:`AnswerDay` keeps, per tenant and per
day (in the tenant's time zone), how many answers gave each score or choice to each question,
by everything the dashboards filter on; ``surveys.metrics`` computes every figure from it with
the same definitions as from the raw answers (a test compares the two after random writes).

* **What is kept as it was, and what is read through.** The answer's own facts (day, question,
  invitation purpose, score, choice) and the interaction's (brand, touchpoint) never change.
  What may change later is reached by a foreign key at read time: the performer's department
  (a member moves) and the complaint's channel and category (a complaint is re-assessed), so a
  move never leaves a rollup behind.
* **Recompute, don't increment** (STYLE 11). A day is recomputed whole from the raw answers
  (its rows deleted and written again in one transaction), so doing it twice is harmless.
* **What is due.** The one writer of answers (``surveys.responses.submitting``) marks its day
  due (:class:`AnswerDayDue`) in the same transaction, last. A refresh takes a due day under
  its row lock, recomputes it and removes the mark; a writer that marks the same day meanwhile
  waits for that lock and marks it again, so no answer is ever left out.
* **When.** A dashboard refreshes the due days of its period before it reads (so its figures
  are exact even with the worker down), the worker after each answer, and the beat's catch-up
  every few minutes; ``manage.py rollups_rebuild`` marks every day of a tenant due (after a bulk
  load: the demo, the bench, an import).
"""
