-- yimen town schema, version 5: each hall's catalog (its categories and items, as it imported
-- them), so the town names a hall's own categories and items as the hall does. NULL: the
-- built-in catalog (halls that synced before this version, until their next sync).
ALTER TABLE town.halls ADD COLUMN catalog jsonb;
