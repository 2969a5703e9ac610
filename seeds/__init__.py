"""Plan data: validated YAML transcriptions of the plans, with the document and section of every record,
loaded purely and applied to the store idempotently. Imports only `store`.
"""
