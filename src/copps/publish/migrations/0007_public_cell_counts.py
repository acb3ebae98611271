# Fast first answers (issue 17, part 4): mapped records per grid cell and month, kept at refresh
# so the public grid sums whole months instead of counting records.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('publish', '0006_incremental_publishing'),
    ]

    operations = [
        migrations.CreateModel(
            name='PublicCellCount',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(max_length=16)),
                ('category_ref', models.IntegerField(help_text='taxonomy category id; empty: every category of the kind', null=True)),
                ('district_ref', models.IntegerField(null=True)),
                ('beat_ref', models.IntegerField(null=True)),
                ('neighbourhood_ref', models.IntegerField(null=True)),
                ('cell_x', models.IntegerField()),
                ('cell_y', models.IntegerField()),
                ('month', models.CharField(max_length=7)),
                ('count_after', models.DateField()),
                ('n', models.PositiveIntegerField()),
            ],
            options={
                'indexes': [models.Index(fields=['category_ref', 'kind', 'month'], name='pubcell_cat_month'), models.Index(fields=['month'], name='pubcell_month')],
            },
        ),
    ]
