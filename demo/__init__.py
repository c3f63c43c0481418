"""演示数据: seed_demo and its steps, the top floor. It may import any app; no app imports it."""
