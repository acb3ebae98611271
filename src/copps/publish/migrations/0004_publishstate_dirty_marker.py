# The durable "dirty" marker of the public tables (issue 13, item 9).

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('publish', '0003_mapped_indexes'),
    ]

    operations = [
        migrations.AddField(
            model_name='publishstate',
            name='changes',
            field=models.PositiveBigIntegerField(default=0, help_text='imports that changed events'),
        ),
        migrations.AddField(
            model_name='publishstate',
            name='published_changes',
            field=models.PositiveBigIntegerField(
                default=0, help_text='the value of changes the last rebuild started from'
            ),
        ),
    ]
