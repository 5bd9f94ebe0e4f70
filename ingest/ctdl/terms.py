"""The CTDL vocabulary reading and writing share: namespaces, context URL, credential classes.

Reading (:mod:`ingest.ctdl.read`) and writing (:mod:`ingest.ctdl.export`) must agree on which
CTDL classes are credentials and which are learning opportunities, so those sets live here once.
"""

from __future__ import annotations

#: The published CTDL context URL exported documents name.
CTDL_CONTEXT = "https://credreg.net/ctdl/schema/context/json"
CT = "https://purl.org/ctdl/terms/"
ASN = "https://purl.org/ctdlasn/terms/"
SCHEMA = "https://schema.org/"

_CREDENTIAL_TYPES = frozenset((
    "AcademicCertificate", "ApprenticeshipCertificate", "AssociateDegree",
    "AssociateOfAppliedArtsDegree", "AssociateOfAppliedScienceDegree", "AssociateOfArtsDegree",
    "AssociateOfScienceDegree", "BachelorDegree", "BachelorOfArtsDegree",
    "BachelorOfScienceDegree", "Badge", "BasicTechnicalCertificate", "Certificate",
    "CertificateOfCompletion", "CertificateOfParticipation", "Certification", "Credential",
    "Degree", "DigitalBadge", "Diploma", "DoctoralDegree", "GeneralEducationDevelopment",
    "JourneymanCertificate", "License", "MasterCertificate", "MasterDegree",
    "MasterOfArtsDegree", "MasterOfScienceDegree", "MicroCredential", "OpenBadge",
    "PreApprenticeshipCertificate", "ProfessionalCertificate", "ProfessionalDoctorate",
    "ProfessionalMedicalDoctorate", "QualityAssuranceCredential", "ResearchDoctorate",
    "SecondarySchoolDiploma",
))  # fmt: skip
_LEARNING_TYPES = frozenset({"LearningOpportunityProfile", "LearningProgram", "Course"})
