"""seed_scale: a city's years of records, generated in Python and loaded with COPY (issue 15).

Not the demo: the demo walks a year of records through the services so every page has a story to
tell; this fills a database fast enough to measure the product at city scale (2,000,000 hazards)
while keeping every row the way the services would have written it (numbers, timelines, history,
denormalised fields). See docs/scale-data.md.
"""
