from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("imports", "0002_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="importrun",
            name="error_count",
            field=models.PositiveIntegerField(
                default=0, help_text="All errors found; ``errors`` keeps only the first ones."
            ),
        ),
    ]
