//! Who may do what within a partnership. The web layer asks these questions; it never
//! decides access itself.

crate::coded_enum! {
    /// A member's role in one partnership. Someone can hold different roles in different
    /// partnerships.
    Role {
        /// Manages the partnership, its members and its audit log, and can do everything else.
        Admin => ("admin", "Administrator"),
        /// Builds and edits the plans, inspections and people.
        PlanManager => ("plan_manager", "Plan manager"),
        /// Posts progress updates on the actions they lead.
        ActionLead => ("action_lead", "Action lead"),
        /// Reads plans: board members, DfE and NHS England advisers, forum representatives.
        Viewer => ("viewer", "Viewer"),
        /// Looks after the Local Offer: approves or returns providers' changes, edits and
        /// restores entries, runs the review programme. Reads plans too.
        LocalOfferOfficer => ("local_offer_officer", "Local Offer officer"),
        /// Someone at an organisation in the Local Offer who keeps its services up to date.
        /// Their changes wait for an officer; they see nothing of the plans.
        Provider => ("provider", "Local Offer provider"),
    }
}

/// Something a member can be allowed to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Capability {
    /// See the partnership's plans, inspections and people.
    View,
    /// Post a progress update on an action they lead.
    UpdateOwnActions,
    /// Post a progress update on any action.
    UpdateAnyAction,
    /// Create and edit plans, their structure, inspections, people and organisations.
    EditPlans,
    /// Edit the partnership itself and who belongs to it.
    ManagePartnership,
    /// Read the audit log.
    ViewAudit,
    /// Approve or return providers' changes to the Local Offer, edit and restore entries.
    ManageLocalOffer,
    /// Propose changes to the Local Offer services of the organisation one provides for.
    ProposeServiceChanges,
    /// See and import EHC casework: case-level data about children. Granted to a member
    /// apart from their role (see [`Access::casework`]); no role brings it.
    Casework,
}

impl Capability {
    /// What the capability allows, completing "You need permission to ...".
    pub fn describe(self) -> &'static str {
        match self {
            Capability::View => "see this partnership",
            Capability::UpdateOwnActions => "post progress updates on the actions you lead",
            Capability::UpdateAnyAction => "post progress updates on any action",
            Capability::EditPlans => "change plans, inspections, people, boards and reports",
            Capability::ManagePartnership => "manage the partnership and who belongs to it",
            Capability::ViewAudit => "read the audit log",
            Capability::ManageLocalOffer => "look after the Local Offer",
            Capability::ProposeServiceChanges => {
                "change your organisation's services in the Local Offer"
            }
            Capability::Casework => "see EHC casework, which is about individual children",
        }
    }
}

impl Role {
    /// The roles that have `capability`, most powerful first.
    pub fn with(capability: Capability) -> Vec<Role> {
        Role::ALL
            .iter()
            .copied()
            .filter(|role| role.can(capability))
            .collect()
    }

    /// Whether a member with this role has `capability`.
    pub fn can(self, capability: Capability) -> bool {
        use Capability::*;
        // Casework is granted apart from roles (see `Access::casework`).
        capability != Casework
            && match self {
                Role::Admin => true,
                Role::PlanManager => matches!(
                    capability,
                    View | UpdateOwnActions | UpdateAnyAction | EditPlans
                ),
                Role::ActionLead => matches!(capability, View | UpdateOwnActions),
                Role::Viewer => matches!(capability, View),
                Role::LocalOfferOfficer => matches!(capability, View | ManageLocalOffer),
                // A provider is not a member in the plans' sense: none of View's pages are theirs.
                Role::Provider => matches!(capability, ProposeServiceChanges),
            }
    }
}

/// What a signed-in account may do in one partnership.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Access {
    /// The account's role here, if it is a member.
    pub role: Option<Role>,
    /// Deployment administrators can act in every partnership.
    pub deployment_admin: bool,
    /// Whether the member has been granted casework: the one capability no role and no
    /// deployment administrator has by right, because it is about individual children.
    pub casework: bool,
}

impl Access {
    /// Whether the account has `capability` here.
    pub fn can(self, capability: Capability) -> bool {
        if capability == Capability::Casework {
            return self.casework && self.is_member();
        }
        self.deployment_admin || self.role.is_some_and(|role| role.can(capability))
    }

    /// Whether the account may post an update on an action, given whether it leads it.
    pub fn can_update_action(self, leads_the_action: bool) -> bool {
        self.can(Capability::UpdateAnyAction)
            || (leads_the_action && self.can(Capability::UpdateOwnActions))
    }

    /// Whether the account may see the partnership's plans. Everything but a provider's
    /// own pages implies this.
    pub fn is_member(self) -> bool {
        self.can(Capability::View)
    }

    /// Whether the account belongs to the partnership in any role, a provider included.
    pub fn belongs(self) -> bool {
        self.deployment_admin || self.role.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(role: Role) -> Access {
        Access {
            role: Some(role),
            deployment_admin: false,
            casework: false,
        }
    }

    #[test]
    fn viewers_only_read() {
        let viewer = member(Role::Viewer);
        assert!(viewer.can(Capability::View));
        assert!(!viewer.can_update_action(true));
        assert!(!viewer.can(Capability::EditPlans));
        assert!(!viewer.can(Capability::ViewAudit));
    }

    #[test]
    fn action_leads_update_only_what_they_lead() {
        let lead = member(Role::ActionLead);
        assert!(lead.can_update_action(true));
        assert!(!lead.can_update_action(false));
        assert!(!lead.can(Capability::EditPlans));
    }

    #[test]
    fn plan_managers_edit_plans_but_not_the_partnership() {
        let manager = member(Role::PlanManager);
        assert!(manager.can(Capability::EditPlans));
        assert!(manager.can_update_action(false));
        assert!(!manager.can(Capability::ManagePartnership));
        assert!(!manager.can(Capability::ViewAudit));
    }

    #[test]
    fn providers_belong_but_see_nothing_of_the_plans() {
        let provider = member(Role::Provider);
        assert!(provider.belongs());
        assert!(!provider.is_member());
        assert!(provider.can(Capability::ProposeServiceChanges));
        assert!(!provider.can(Capability::ManageLocalOffer));
        assert!(!provider.can_update_action(true));
        let officer = member(Role::LocalOfferOfficer);
        assert!(officer.can(Capability::ManageLocalOffer));
        assert!(officer.is_member());
        assert!(!officer.can(Capability::EditPlans));
        assert!(!member(Role::PlanManager).can(Capability::ManageLocalOffer));
    }

    #[test]
    fn admins_and_deployment_admins_can_do_everything() {
        assert!(member(Role::Admin).can(Capability::ViewAudit));
        let deployment_admin = Access {
            role: None,
            deployment_admin: true,
            casework: false,
        };
        assert!(deployment_admin.can(Capability::ManagePartnership));
    }

    #[test]
    fn casework_comes_with_no_role_only_with_its_grant() {
        for role in Role::ALL {
            assert!(!member(*role).can(Capability::Casework), "{role:?}");
            let granted = Access {
                casework: true,
                ..member(*role)
            };
            // A provider granted it still cannot, as they are not a member of the plans.
            assert_eq!(
                granted.can(Capability::Casework),
                *role != Role::Provider,
                "{role:?}"
            );
        }
        let deployment_admin = Access {
            role: None,
            deployment_admin: true,
            casework: false,
        };
        assert!(!deployment_admin.can(Capability::Casework));
        assert!(Role::with(Capability::Casework).is_empty());
    }

    #[test]
    fn the_roles_with_a_capability_are_named_for_a_refusal() {
        assert_eq!(Role::with(Capability::ManagePartnership), vec![Role::Admin]);
        assert_eq!(
            Role::with(Capability::EditPlans),
            vec![Role::Admin, Role::PlanManager]
        );
        assert_eq!(Role::with(Capability::View).len(), Role::ALL.len() - 1);
        assert_eq!(
            Role::with(Capability::ManageLocalOffer),
            vec![Role::Admin, Role::LocalOfferOfficer]
        );
    }

    #[test]
    fn non_members_can_do_nothing() {
        let stranger = Access {
            role: None,
            deployment_admin: false,
            casework: false,
        };
        assert!(!stranger.is_member());
        assert!(!stranger.can_update_action(true));
    }
}
