"""CSV import of service interactions, for processes that have no integration.

``checking`` reads and validates a file, ``importing`` records it, ``selectors`` reads the
imports and the interactions back.

Two steps, so nothing is written before a manager has seen what the file holds:

1. ``import_check`` reads the file and validates every row. It returns the rows ready to
   import, the rows imported before (same reference, source IMPORT: reported, never an error)
   and every problem as (row, column, message). Nothing is written.
2. ``import_start`` checks the file again (brands, touchpoints or members may have changed
   meanwhile) and ``import_step`` records its valid rows, a batch per call, each through
   ``recording.interaction_record`` with source IMPORT, so the survey decision is taken exactly
   as for an API event: an event older than the programme's maximum age is TOO_OLD. The last
   batch writes one audit entry with the import's counts; the summary page reads it back.

Between the check and the import the file's text, and between two batches the import under
way, wait in the cache (Redis in production, the file cache of the embedded default: both are
shared by every process) for an hour, under a random token and a key that names the tenant and
the member who uploaded it: nobody else can import it, and taking the upload deletes it, so
one upload is imported once. A batch that is lost (the cache emptied, the tab closed for an
hour) loses nothing written: uploading the file again reports its rows as already imported.

Row numbers are the spreadsheet's: the column names are row 1, blank rows count.
"""
