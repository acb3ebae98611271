# Incremental publishing (issue 17, part 2): the events whose public records must be made again,
# each record's event, and what the last full rebuild's records depend on besides their events.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('publish', '0005_intersections_written_with_ampersand'),
    ]

    operations = [
        migrations.AddField(
            model_name='publicrecord',
            name='event_ref',
            field=models.BigIntegerField(
                null=True,
                help_text='the event this record was made from (never published: an incremental refresh finds it)',
            ),
        ),
        migrations.AddIndex(
            model_name='publicrecord',
            index=models.Index(fields=['event_ref'], name='pubrec_event'),
        ),
        migrations.AddField(
            model_name='publishstate',
            name='inputs',
            field=models.CharField(
                blank=True,
                max_length=64,
                help_text='digest of what every record depends on besides its event (snap points, taxonomy, '
                'areas, time zone, grid) at the last full rebuild: an incremental refresh needs it unchanged',
            ),
        ),
        migrations.CreateModel(
            name='PublishPending',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('event_id', models.BigIntegerField(help_text='the changed event; empty: every event', null=True)),
                ('seq', models.PositiveBigIntegerField(
                    help_text='PublishState.changes as the recording transaction set it')),
            ],
            options={
                'indexes': [models.Index(fields=['seq'], name='pubpending_seq')],
            },
        ),
    ]
