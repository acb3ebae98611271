# Fast first answers (issue 17, part 4): the day's protected count tables, kept at refresh

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('publish', '0008_protected_cells'),
    ]

    operations = [
        migrations.CreateModel(
            name='PublicLattice',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('by_beat', models.BooleanField()),
                ('key', models.CharField(max_length=64)),
                ('body', models.TextField(help_text='the tables as JSON (copps.publish.published)')),
            ],
        ),
    ]
