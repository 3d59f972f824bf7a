//! Partnerships, their organisations and the people named in their plans.

use crate::audit::{record, record_created, record_updated, Change, Subject};
use crate::sql::{now_text, RowExt};
use crate::{duplicate_as, one_or_not_found, Actor, Result, Store, StoreError, Tx};
use sendplan_domain::input::{OrganisationInput, PartnershipInput, PersonInput};
use sendplan_domain::partnership::{Organisation, OrganisationKind, Partnership, Person};
use sendplan_domain::{OrganisationId, PartnershipId, PersonId};
use sqlx::any::AnyRow;

pub(crate) fn partnership_from(row: &AnyRow) -> Result<Partnership> {
    Ok(Partnership {
        id: PartnershipId(row.int("id")?),
        name: row.text("name")?,
        la_code: row.text("la_code")?,
        version: row.int("version")?,
    })
}

fn organisation_from(row: &AnyRow) -> Result<Organisation> {
    Ok(Organisation {
        id: OrganisationId(row.int("id")?),
        partnership_id: PartnershipId(row.int("partnership_id")?),
        name: row.text("name")?,
        kind: row.code("kind", OrganisationKind::from_code)?,
        version: row.int("version")?,
    })
}

pub(crate) fn person_from(row: &AnyRow) -> Result<Person> {
    Ok(Person {
        id: PersonId(row.int("id")?),
        partnership_id: PartnershipId(row.int("partnership_id")?),
        name: row.text("name")?,
        job_title: row.text("job_title")?,
        organisation_id: row.opt_int("organisation_id")?.map(OrganisationId),
        short_code: row.text("short_code")?,
        email: row.text("email")?,
        to_review: row.int("to_review")? != 0,
        version: row.int("version")?,
    })
}

/// After an `UPDATE ... WHERE version = $v` touched no row: was the record gone, or changed?
pub(crate) async fn missing_or_conflict(
    tx: &mut Tx,
    table: &str,
    id: i64,
    partnership: PartnershipId,
) -> StoreError {
    let sql = format!("SELECT COUNT(*) FROM {table} WHERE id = $1 AND partnership_id = $2");
    match sqlx::query_scalar::<_, i64>(&sql)
        .bind(id)
        .bind(partnership.0)
        .fetch_one(&mut **tx)
        .await
    {
        Ok(0) => StoreError::NotFound,
        Ok(_) => StoreError::Conflict,
        Err(e) => e.into(),
    }
}

impl Store {
    pub async fn create_partnership(
        &self,
        actor: Actor,
        input: &PartnershipInput,
    ) -> Result<PartnershipId> {
        let mut write = self.begin_write().await?;
        let created = self.insert_partnership(&mut write.tx, actor, input).await?;
        write.commit().await?;
        Ok(created)
    }

    pub(crate) async fn insert_partnership(
        &self,
        tx: &mut Tx,
        actor: Actor,
        input: &PartnershipInput,
    ) -> Result<PartnershipId> {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO partnerships (name, la_code, created_at) VALUES ($1, $2, $3) RETURNING id",
        )
        .bind(input.name.clone())
        .bind(input.la_code.clone())
        .bind(now_text())
        .fetch_one(&mut **tx)
        .await
        .map_err(duplicate_as(
            "A partnership with that local authority code already exists",
        ))?;
        let after = Partnership {
            id: PartnershipId(id),
            name: input.name.clone(),
            la_code: input.la_code.clone(),
            version: 1,
        };
        record_created(
            tx,
            Subject {
                partnership: after.id,
                actor,
                entity: "partnership",
                id,
            },
            format!("Partnership {} created", after.name),
            &after,
        )
        .await?;
        Ok(after.id)
    }

    pub async fn update_partnership(
        &self,
        actor: Actor,
        id: PartnershipId,
        version: i64,
        input: &PartnershipInput,
    ) -> Result<()> {
        let before = self.get_partnership(id).await?;
        let mut write = self.begin_write().await?;
        let done = sqlx::query("UPDATE partnerships SET name = $1, la_code = $2, version = version + 1 WHERE id = $3 AND version = $4")
            .bind(input.name.clone())
            .bind(input.la_code.clone())
            .bind(id.0)
            .bind(version)
            .execute(&mut *write.tx)
            .await
            .map_err(duplicate_as("A partnership with that local authority code already exists"))?;
        if done.rows_affected() == 0 || before.version != version {
            return Err(StoreError::Conflict);
        }
        let after = Partnership {
            name: input.name.clone(),
            la_code: input.la_code.clone(),
            version: version + 1,
            ..before.clone()
        };
        record_updated(
            &mut write.tx,
            Subject {
                partnership: id,
                actor,
                entity: "partnership",
                id: id.0,
            },
            format!("Partnership {} edited", after.name),
            &before,
            &after,
        )
        .await?;
        write.commit().await
    }

    pub async fn get_partnership(&self, id: PartnershipId) -> Result<Partnership> {
        let row = sqlx::query("SELECT * FROM partnerships WHERE id = $1")
            .bind(id.0)
            .fetch_optional(self.pool())
            .await?;
        partnership_from(&one_or_not_found(row)?)
    }

    pub async fn list_partnerships(&self) -> Result<Vec<Partnership>> {
        let rows = sqlx::query("SELECT * FROM partnerships ORDER BY name")
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(partnership_from).collect()
    }

    pub async fn list_organisations(
        &self,
        partnership: PartnershipId,
    ) -> Result<Vec<Organisation>> {
        let rows =
            sqlx::query("SELECT * FROM organisations WHERE partnership_id = $1 ORDER BY name")
                .bind(partnership.0)
                .fetch_all(self.pool())
                .await?;
        rows.iter().map(organisation_from).collect()
    }

    pub async fn get_organisation(
        &self,
        partnership: PartnershipId,
        id: OrganisationId,
    ) -> Result<Organisation> {
        let row = sqlx::query("SELECT * FROM organisations WHERE id = $1 AND partnership_id = $2")
            .bind(id.0)
            .bind(partnership.0)
            .fetch_optional(self.pool())
            .await?;
        organisation_from(&one_or_not_found(row)?)
    }

    pub async fn create_organisation(
        &self,
        actor: Actor,
        partnership: PartnershipId,
        input: &OrganisationInput,
    ) -> Result<OrganisationId> {
        let mut write = self.begin_write().await?;
        let created = self
            .insert_organisation(&mut write.tx, actor, partnership, input)
            .await?;
        write.commit().await?;
        Ok(created)
    }

    pub(crate) async fn insert_organisation(
        &self,
        tx: &mut Tx,
        actor: Actor,
        partnership: PartnershipId,
        input: &OrganisationInput,
    ) -> Result<OrganisationId> {
        let id: i64 = sqlx::query_scalar("INSERT INTO organisations (partnership_id, name, kind) VALUES ($1, $2, $3) RETURNING id")
            .bind(partnership.0)
            .bind(input.name.clone())
            .bind(input.kind.code())
            .fetch_one(&mut **tx)
            .await?;
        let after = Organisation {
            id: OrganisationId(id),
            partnership_id: partnership,
            name: input.name.clone(),
            kind: input.kind,
            version: 1,
        };
        record_created(
            tx,
            Subject {
                partnership,
                actor,
                entity: "organisation",
                id,
            },
            format!("Organisation {} added", after.name),
            &after,
        )
        .await?;
        Ok(after.id)
    }

    pub async fn update_organisation(
        &self,
        actor: Actor,
        partnership: PartnershipId,
        id: OrganisationId,
        version: i64,
        input: &OrganisationInput,
    ) -> Result<()> {
        let before = self.get_organisation(partnership, id).await?;
        let mut write = self.begin_write().await?;
        let done = sqlx::query("UPDATE organisations SET name = $1, kind = $2, version = version + 1 WHERE id = $3 AND partnership_id = $4 AND version = $5")
            .bind(input.name.clone())
            .bind(input.kind.code())
            .bind(id.0)
            .bind(partnership.0)
            .bind(version)
            .execute(&mut *write.tx)
            .await?;
        if done.rows_affected() == 0 || before.version != version {
            return Err(
                missing_or_conflict(&mut write.tx, "organisations", id.0, partnership).await,
            );
        }
        let after = Organisation {
            name: input.name.clone(),
            kind: input.kind,
            version: version + 1,
            ..before.clone()
        };
        record_updated(
            &mut write.tx,
            Subject {
                partnership,
                actor,
                entity: "organisation",
                id: id.0,
            },
            format!("Organisation {} edited", after.name),
            &before,
            &after,
        )
        .await?;
        write.commit().await
    }

    pub async fn list_people(&self, partnership: PartnershipId) -> Result<Vec<Person>> {
        let rows = sqlx::query(
            "SELECT * FROM people WHERE partnership_id = $1 ORDER BY CASE WHEN name = '' THEN job_title ELSE name END",
        )
        .bind(partnership.0)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(person_from).collect()
    }

    pub async fn get_person(&self, partnership: PartnershipId, id: PersonId) -> Result<Person> {
        let row = sqlx::query("SELECT * FROM people WHERE id = $1 AND partnership_id = $2")
            .bind(id.0)
            .bind(partnership.0)
            .fetch_optional(self.pool())
            .await?;
        person_from(&one_or_not_found(row)?)
    }

    /// Checks, inside a write, that `person` belongs to `partnership`.
    pub(crate) async fn person_in(
        &self,
        tx: &mut Tx,
        partnership: PartnershipId,
        person: PersonId,
    ) -> Result<()> {
        let n: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM people WHERE id = $1 AND partnership_id = $2")
                .bind(person.0)
                .bind(partnership.0)
                .fetch_one(&mut **tx)
                .await?;
        if n == 0 {
            return Err(StoreError::Rule(
                "Select a person from this partnership".to_owned(),
            ));
        }
        Ok(())
    }

    async fn organisation_in(
        &self,
        tx: &mut Tx,
        partnership: PartnershipId,
        organisation: Option<OrganisationId>,
    ) -> Result<()> {
        let Some(organisation) = organisation else {
            return Ok(());
        };
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM organisations WHERE id = $1 AND partnership_id = $2",
        )
        .bind(organisation.0)
        .bind(partnership.0)
        .fetch_one(&mut **tx)
        .await?;
        if n == 0 {
            return Err(StoreError::Rule(
                "Select an organisation from this partnership".to_owned(),
            ));
        }
        Ok(())
    }

    pub async fn create_person(
        &self,
        actor: Actor,
        partnership: PartnershipId,
        input: &PersonInput,
    ) -> Result<PersonId> {
        let mut write = self.begin_write().await?;
        let created = self
            .insert_person(&mut write.tx, actor, partnership, input)
            .await?;
        write.commit().await?;
        Ok(created)
    }

    pub(crate) async fn insert_person(
        &self,
        tx: &mut Tx,
        actor: Actor,
        partnership: PartnershipId,
        input: &PersonInput,
    ) -> Result<PersonId> {
        self.organisation_in(tx, partnership, input.organisation_id)
            .await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO people (partnership_id, name, job_title, organisation_id, short_code, email, to_review) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(partnership.0)
        .bind(input.name.clone())
        .bind(input.job_title.clone())
        .bind(input.organisation_id.map(|o| o.0))
        .bind(input.short_code.clone())
        .bind(input.email.clone())
        .bind(i64::from(input.to_review))
        .fetch_one(&mut **tx)
        .await?;
        let after = Person {
            id: PersonId(id),
            partnership_id: partnership,
            name: input.name.clone(),
            job_title: input.job_title.clone(),
            organisation_id: input.organisation_id,
            short_code: input.short_code.clone(),
            email: input.email.clone(),
            to_review: input.to_review,
            version: 1,
        };
        record_created(
            tx,
            Subject {
                partnership,
                actor,
                entity: "person",
                id,
            },
            format!("Person {} added", after.display_name()),
            &after,
        )
        .await?;
        Ok(after.id)
    }

    pub async fn update_person(
        &self,
        actor: Actor,
        partnership: PartnershipId,
        id: PersonId,
        version: i64,
        input: &PersonInput,
    ) -> Result<()> {
        let before = self.get_person(partnership, id).await?;
        let mut write = self.begin_write().await?;
        self.organisation_in(&mut write.tx, partnership, input.organisation_id)
            .await?;
        let done = sqlx::query(
            "UPDATE people SET name = $1, job_title = $2, organisation_id = $3, short_code = $4, email = $5, to_review = 0, version = version + 1 \
             WHERE id = $6 AND partnership_id = $7 AND version = $8",
        )
        .bind(input.name.clone())
        .bind(input.job_title.clone())
        .bind(input.organisation_id.map(|o| o.0))
        .bind(input.short_code.clone())
        .bind(input.email.clone())
        .bind(id.0)
        .bind(partnership.0)
        .bind(version)
        .execute(&mut *write.tx)
        .await?;
        if done.rows_affected() == 0 || before.version != version {
            return Err(missing_or_conflict(&mut write.tx, "people", id.0, partnership).await);
        }
        let after = Person {
            name: input.name.clone(),
            job_title: input.job_title.clone(),
            organisation_id: input.organisation_id,
            short_code: input.short_code.clone(),
            email: input.email.clone(),
            to_review: false,
            version: version + 1,
            ..before.clone()
        };
        record_updated(
            &mut write.tx,
            Subject {
                partnership,
                actor,
                entity: "person",
                id: id.0,
            },
            format!("Person {} edited", after.display_name()),
            &before,
            &after,
        )
        .await?;
        write.commit().await
    }
}

/// Every column that names a person, as (table, column). Merging moves each of them to the
/// person kept; a test checks this against the schema's foreign keys, so a new column that
/// names a person cannot be missed (a merge left it pointing at a removed person, a 500).
pub const PERSON_REFERENCES: [(&str, &str); 6] = [
    ("action_leads", "person_id"),
    ("action_partner_people", "person_id"),
    ("areas", "sro_person_id"),
    ("memberships", "person_id"),
    ("measures", "owner_person_id"),
    ("invitations", "person_id"),
];

/// The tables that link people to actions, keyed by (action, person).
const LINK_TABLES: [&str; 2] = ["action_leads", "action_partner_people"];

impl Store {
    /// Merges a person into another of the same partnership: every action they lead or
    /// partner, every area they are senior responsible officer for and every account,
    /// invitation and measure linked to them moves to `into`, then `from` is removed. Used to resolve people an import
    /// added for review ("PeRi" turned out to be Penny Richardson).
    /// Splits one person into several: the first of `people` replaces the person's name
    /// and job title, the others are added, and every action the person leads or
    /// partners names each of them. Refused with [`StoreError::Conflict`] when the person
    /// changed since `version` was read.
    pub async fn split_person(
        &self,
        actor: Actor,
        partnership: PartnershipId,
        person: PersonId,
        version: i64,
        people: &[(String, String)],
    ) -> Result<Vec<PersonId>> {
        let before = self.get_person(partnership, person).await?;
        let Some(((first_name, first_job), others)) = people.split_first() else {
            return Err(StoreError::Rule("Enter at least two people".to_owned()));
        };
        let mut write = self.begin_write().await?;
        let done = sqlx::query(
            "UPDATE people SET name = $1, job_title = $2, to_review = 0, version = version + 1 \
             WHERE id = $3 AND partnership_id = $4 AND version = $5",
        )
        .bind(first_name.clone())
        .bind(first_job.clone())
        .bind(person.0)
        .bind(partnership.0)
        .bind(version)
        .execute(&mut *write.tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::Conflict);
        }
        let mut ids = vec![person];
        for (name, job_title) in others {
            let input = PersonInput {
                name: name.clone(),
                job_title: job_title.clone(),
                organisation_id: before.organisation_id,
                short_code: String::new(),
                email: String::new(),
                to_review: false,
            };
            let id = self
                .insert_person(&mut write.tx, actor, partnership, &input)
                .await?;
            for table in LINK_TABLES {
                sqlx::query(&format!(
                    "INSERT INTO {table} (action_id, person_id, position) SELECT action_id, $1, position FROM {table} WHERE person_id = $2"
                ))
                .bind(id.0)
                .bind(person.0)
                .execute(&mut *write.tx)
                .await?;
            }
            ids.push(id);
        }
        crate::audit::record(
            &mut write.tx,
            crate::audit::Change {
                partnership: Some(partnership),
                actor,
                entity: "person",
                entity_id: person.0,
                change: "split",
                summary: format!(
                    "{} split into {}",
                    before.display_name(),
                    people
                        .iter()
                        .map(|(n, j)| if n.is_empty() { j.clone() } else { n.clone() })
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                before: Some(&before),
                after: Some(&people),
            },
        )
        .await?;
        write.commit().await?;
        Ok(ids)
    }

    pub async fn merge_person(
        &self,
        actor: Actor,
        partnership: PartnershipId,
        from: PersonId,
        into: PersonId,
    ) -> Result<()> {
        if from == into {
            return Err(StoreError::Rule(
                "Choose a different person to merge into".to_owned(),
            ));
        }
        let removed = self.get_person(partnership, from).await?;
        let kept = self.get_person(partnership, into).await?;
        let mut write = self.begin_write().await?;
        for table in LINK_TABLES {
            // Links that would duplicate one `into` already has are dropped, the rest moved.
            sqlx::query(&format!(
                "DELETE FROM {table} WHERE person_id = $1 AND action_id IN (SELECT action_id FROM {table} WHERE person_id = $2)"
            ))
            .bind(from.0)
            .bind(into.0)
            .execute(&mut *write.tx)
            .await?;
            sqlx::query(&format!(
                "UPDATE {table} SET person_id = $1 WHERE person_id = $2"
            ))
            .bind(into.0)
            .bind(from.0)
            .execute(&mut *write.tx)
            .await?;
        }
        for (table, column) in PERSON_REFERENCES {
            if LINK_TABLES.contains(&table) {
                continue;
            }
            // A measure's owner is part of it: its version moves, so an edit form opened
            // before the merge cannot put the removed person back.
            let version = if table == "measures" {
                ", version = version + 1"
            } else {
                ""
            };
            sqlx::query(&format!(
                "UPDATE {table} SET {column} = $1{version} WHERE {column} = $2 AND partnership_id = $3"
            ))
            .bind(into.0)
            .bind(from.0)
            .bind(partnership.0)
            .execute(&mut *write.tx)
            .await?;
        }
        sqlx::query("DELETE FROM people WHERE id = $1 AND partnership_id = $2")
            .bind(from.0)
            .bind(partnership.0)
            .execute(&mut *write.tx)
            .await?;
        record(
            &mut write.tx,
            Change {
                partnership: Some(partnership),
                actor,
                entity: "person",
                entity_id: from.0,
                change: "merged",
                summary: format!(
                    "{} merged into {}",
                    removed.display_name(),
                    kept.display_name()
                ),
                before: Some(&removed),
                after: Some(&kept),
            },
        )
        .await?;
        write.commit().await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlx::Row;

    /// Every foreign key to `people` in the schema is one merging moves.
    #[tokio::test]
    async fn merging_knows_every_column_that_names_a_person() {
        let path = std::env::temp_dir().join(format!("sendplan-fk-{}.db", std::process::id()));
        let store = Store::open(&format!("sqlite://{}", path.display()))
            .await
            .expect("open");
        let rows = sqlx::query(
            "SELECT m.name AS tbl, f.\"from\" AS col FROM sqlite_master m, pragma_foreign_key_list(m.name) f \
             WHERE m.type = 'table' AND f.\"table\" = 'people' ORDER BY 1, 2",
        )
        .fetch_all(store.pool())
        .await
        .expect("foreign keys");
        let mut in_schema: Vec<(String, String)> = rows
            .iter()
            .map(|r| (r.get::<String, _>("tbl"), r.get::<String, _>("col")))
            .collect();
        let mut merged: Vec<(String, String)> = PERSON_REFERENCES
            .iter()
            .map(|(t, c)| ((*t).to_owned(), (*c).to_owned()))
            .collect();
        in_schema.sort();
        merged.sort();
        store.close().await;
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }
        assert_eq!(in_schema, merged);
    }
}
