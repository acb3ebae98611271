# Fast first answers (issue 17, part 4): the suppression of each count table, kept by its counts

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('publish', '0007_public_cell_counts'),
    ]

    operations = [
        migrations.CreateModel(
            name='ProtectedCells',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('digest', models.CharField(max_length=64, unique=True)),
                ('hidden', models.TextField(help_text="the augmented table's hidden cells, '0'/'1' row by row")),
                ('primary', models.TextField(help_text="those hidden because 1..k-1, '0'/'1' row by row")),
            ],
        ),
    ]
