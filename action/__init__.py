"""GitHub event glue: reads the event and the inputs, calls perforch_bot, reports to GitHub."""
