//! Roles and what each may do. The matrix is here, in one place, so the web application's
//! route guards, the API and the tests all read the same table.

use crate::choices;

choices!(
    /// A user's role in the organisation's security governance.
    Role, "role" {
        /// システム管理者: everything, including users and settings.
        Admin => "admin",
        /// 情報セキュリティ責任者: edits systems, SBD decisions and departments; reads the audit trail.
        SecurityOfficer => "security_officer",
        /// 評価担当者: edits systems and SBD decisions.
        Assessor => "assessor",
        /// 監査担当者: reads everything, including the audit trail and users; changes nothing.
        Auditor => "auditor",
        /// 閲覧者: reads systems and decisions.
        Viewer => "viewer",
    }
);

choices!(
    /// One kind of action a route or API call needs.
    Permission, "permission" {
        /// Read systems, SBD decisions and generated documents.
        View => "view",
        /// Create and edit information systems.
        EditSystems => "edit_systems",
        /// Answer the SBD judgment conditions and choose levels.
        EditSbd => "edit_sbd",
        /// Add and rename departments.
        ManageDepartments => "manage_departments",
        /// Read the audit trail and verify its chain.
        ViewAudit => "view_audit",
        /// See the list of users.
        ViewUsers => "view_users",
        /// Create, disable and reset users; change roles.
        ManageUsers => "manage_users",
        /// Change the organisation's settings.
        ManageSettings => "manage_settings",
        /// Create compliance assessments; record results, evidence and remediation; submit
        /// them for review.
        EditAssessments => "edit_assessments",
        /// Return an assessment in review to draft, or sign it off (locking it).
        SignOffAssessments => "sign_off_assessments",
        /// Download evidence files attached to assessments.
        ViewEvidence => "view_evidence",
    }
);

impl Role {
    /// Whether this role may do `p`.
    pub fn can(self, p: Permission) -> bool {
        use Permission::*;
        match self {
            Role::Admin => true,
            Role::SecurityOfficer => matches!(
                p,
                View | EditSystems
                    | EditSbd
                    | ManageDepartments
                    | ViewAudit
                    | ViewUsers
                    | EditAssessments
                    | SignOffAssessments
                    | ViewEvidence
            ),
            Role::Assessor => matches!(
                p,
                View | EditSystems | EditSbd | EditAssessments | ViewEvidence
            ),
            Role::Auditor => matches!(p, View | ViewAudit | ViewUsers | ViewEvidence),
            Role::Viewer => matches!(p, View),
        }
    }

    /// Whether the role only reads (auditor, viewer).
    pub fn read_only(self) -> bool {
        !Permission::ALL.iter().any(|p| {
            self.can(*p)
                && !matches!(
                    p,
                    Permission::View
                        | Permission::ViewAudit
                        | Permission::ViewUsers
                        | Permission::ViewEvidence
                )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matrix() {
        // Rows: roles; columns: permissions in declaration order.
        let expect = [
            (Role::Admin, "11111111111"),
            (Role::SecurityOfficer, "11111100111"),
            (Role::Assessor, "11100000101"),
            (Role::Auditor, "10001100001"),
            (Role::Viewer, "10000000000"),
        ];
        for (role, row) in expect {
            let got: String = Permission::ALL
                .iter()
                .map(|p| if role.can(*p) { '1' } else { '0' })
                .collect();
            assert_eq!(got, row, "{role}");
        }
        assert!(Role::Auditor.read_only() && Role::Viewer.read_only());
        assert!(!Role::Assessor.read_only());
    }

    #[test]
    fn keys_round_trip() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.key()), Some(*r));
            assert_eq!(r.label(), format!("role.{}", r.key()));
        }
        assert_eq!(Role::parse("root"), None);
    }
}
